using System.Globalization;

namespace Zaqar.Bench;

/// <summary>Command-line settings of a bench run.</summary>
internal sealed record BenchOptions(int Connections, TimeSpan Duration, bool Durable, string? ConnectionString, IReadOnlySet<string> Only, int FuzzCases)
{
    public const string Usage =
        """
        usage: dotnet run -c Release --project Zaqar.Bench -- [options]
          --connections N   keep-alive connections / concurrent workers (default 16)
          --seconds S       duration of each measured scenario (default 10)
          --fast            run the embedded PostgreSQL without fsync (default: durable, as the service runs)
          --connection CS   use this PostgreSQL instead of an embedded one
          --fuzz-cases N    frames of the long protocol fuzz run (default 10000000)
          --only a,b        run only these scenarios (sql-post, sql-claim, rest-post, rest-post-spread,
                            rest-post1, store-claim, rest-claim, hub-mp-post, hub-json-post, hub-mp-post1,
                            hub-json-post1, hub-mp-claim, hub-json-claim, ws-mp-post, ws-json-post,
                            ws-mp-claim, ws-json-claim, push-mp, push-json, fanout, webhooks, fuzz)
        """;

    public static BenchOptions Parse(string[] args)
    {
        int connections = 16, seconds = 10, fuzzCases = 10_000_000;
        var durable = true;
        string? connection = null;
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--connections": connections = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--fast": durable = false; break;
                case "--connection": connection = Next(); break;
                case "--fuzz-cases": fuzzCases = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--only": only.UnionWith(Next().Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                default: throw new ArgumentException($"unknown option {args[i]}\n{Usage}");
            }
        }
        if (connections < 1 || seconds < 1 || seconds > 600 || fuzzCases < 1)
        {
            throw new ArgumentException("connections must be >= 1, seconds 1..600 and fuzz-cases >= 1");
        }
        return new BenchOptions(connections, TimeSpan.FromSeconds(seconds), durable, connection, only, fuzzCases);
    }

    public bool Runs(string scenario) => Only.Count == 0 || Only.Contains(scenario);
}
