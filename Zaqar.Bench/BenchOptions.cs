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
          --service U[,U..] drive these running service nodes (for example deploy/'s balancer, or its nodes) instead of
                            one started here; the first takes the load, the others are the fan-out's further nodes.
                            The plain-SQL baselines then run only with --connection; name the scenarios with --only
                            (rest-post, rest-claim, hub-mp-post, hub-mp-claim, fanout...): those that reach into the
                            service's process (store-post, store-claim, floors, protocol, scale, soak, rest-fuzz) are left out
          --fuzz-cases N    frames of the long protocol fuzz run (default 10000000)
          --only a,b        run only these scenarios (sql-post, sql-post1, sql-claim, rest-floor, rest-floor1,
                            hub-mp-floor, hub-mp-floor1, rest-post, rest-post-spread, rest-post1, store-post,
                            store-post1, store-claim, rest-claim, rest-list, hub-mp-post, hub-json-post, hub-mp-post1,
                            hub-json-post1, hub-mp-claim, hub-json-claim, ws-mp-post, ws-json-post,
                            ws-mp-claim, ws-json-claim, push-mp, push-json, fanout, presence, webhooks, protocol, recovery, fuzz,
                            rest-fuzz, idle, scale, soak, history); rest-fuzz, idle, scale, soak and history run only
                            when named here
          --idle-connections N   idle subscribed connections of the idle scenario (default 18000)
          --scale-messages N     messages of the scale scenario's big queue (default 1000000)
          --scale-queues N       queues of the scale scenario's big project (default 10000)
          --rest-fuzz-cases N    requests of the REST fuzz run (default 100000), one worker per --connections
          --rest-fuzz-minutes M  time limit of the REST fuzz run (default 30)
          --soak-minutes N  length of the soak (default 10), one line per minute
          --soak-rate R     messages/s the soak posts (default: half the mixed maximum it measures first)
          --history-claims N     claims of the claim-history check (default 1000000)
          --history-nodes U,U    run the claim-history check against these service URLs (default: two nodes here)
          --seed S          seed of the REST fuzz run, to replay one (default: a fresh one, printed)
          --fanout-clients K     the fan-out's subscribers: bare (default; a WebSocket speaking the MessagePack protocol
                                 by hand, cheap on the shared cores) or official (the .NET SignalR client)
        """;

    public int RestFuzzCases { get; init; } = 100_000;

    public TimeSpan RestFuzzTime { get; init; } = TimeSpan.FromMinutes(30);

    public int? Seed { get; init; }

    public int IdleConnections { get; init; } = 18_000;

    /// <summary>The big queue of the scale scenario (issue 14 item 6).</summary>
    public int ScaleMessages { get; init; } = 1_000_000;

    /// <summary>The big project of the scale scenario.</summary>
    public int ScaleQueues { get; init; } = 10_000;

    public int SoakMinutes { get; init; } = 10;

    public double? SoakRate { get; init; }

    /// <summary>Claims of the claim-history check (issue 16 item 3).</summary>
    public long HistoryClaims { get; init; } = 1_000_000;

    /// <summary>Service URLs the claim-history check runs against; empty: two nodes of the bench's own.</summary>
    public IReadOnlyList<Uri> HistoryNodes { get; init; } = [];

    /// <summary>What the fan-out's subscribers connect with (issue 14 item 4).</summary>
    public FanOutClients FanOutClients { get; init; } = FanOutClients.Bare;

    /// <summary>Running service nodes to drive instead of one started here (issue 16 item 4).</summary>
    public IReadOnlyList<Uri> ServiceNodes { get; init; } = [];

    public static BenchOptions Parse(string[] args)
    {
        int connections = 16, seconds = 10, fuzzCases = 10_000_000, restFuzzCases = 100_000, restFuzzMinutes = 30, idleConnections = 18_000;
        int scaleMessages = 1_000_000, scaleQueues = 10_000;
        int? seed = null;
        int soakMinutes = 10;
        double? soakRate = null;
        long historyClaims = 1_000_000;
        var historyNodes = new List<Uri>();
        var serviceNodes = new List<Uri>();
        var fanOutClients = FanOutClients.Bare;
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
                case "--rest-fuzz-cases": restFuzzCases = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--rest-fuzz-minutes": restFuzzMinutes = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--idle-connections": idleConnections = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--scale-messages": scaleMessages = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--scale-queues": scaleQueues = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--soak-minutes": soakMinutes = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--soak-rate": soakRate = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--history-claims": historyClaims = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--service": serviceNodes.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u))); break;
                case "--history-nodes": historyNodes.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u))); break;
                case "--fanout-clients":
                    fanOutClients = Next() switch
                    {
                        "bare" => FanOutClients.Bare,
                        "official" => FanOutClients.Official,
                        var other => throw new ArgumentException($"--fanout-clients is bare or official, not {other}"),
                    };
                    break;
                default: throw new ArgumentException($"unknown option {args[i]}\n{Usage}");
            }
        }
        if (connections < 1 || seconds < 1 || seconds > 600 || fuzzCases < 1 || restFuzzCases < 1 || restFuzzMinutes < 1)
        {
            throw new ArgumentException("connections must be >= 1, seconds 1..600, and fuzz-cases, rest-fuzz-cases and rest-fuzz-minutes >= 1");
        }
        if (idleConnections is < 100 or > 19_000)
        {
            // Each idle connection is an open file of the bench and of the server: 20,000 per process here (issue 14).
            throw new ArgumentException("idle-connections must be 100..19000");
        }
        if (scaleMessages is < 10_000 or > 100_000_000 || scaleQueues is < 10 or > 99_999)
        {
            throw new ArgumentException("scale-messages must be 10000..100000000 and scale-queues 10..99999");
        }
        if (soakMinutes is < 1 or > 1440 || soakRate is <= 0)
        {
            throw new ArgumentException("soak-minutes must be 1..1440 and soak-rate > 0");
        }
        return new BenchOptions(connections, TimeSpan.FromSeconds(seconds), durable, connection, only, fuzzCases)
        {
            RestFuzzCases = restFuzzCases,
            RestFuzzTime = TimeSpan.FromMinutes(restFuzzMinutes),
            Seed = seed,
            IdleConnections = idleConnections,
            ScaleMessages = scaleMessages,
            ScaleQueues = scaleQueues,
            SoakMinutes = soakMinutes,
            SoakRate = soakRate,
            HistoryClaims = historyClaims >= 1 ? historyClaims : throw new ArgumentException("history-claims must be >= 1"),
            HistoryNodes = historyNodes,
            ServiceNodes = serviceNodes,
            FanOutClients = fanOutClients,
        };
    }

    public bool Runs(string scenario) => Only.Count == 0 || Only.Contains(scenario);

    /// <summary>For the long runs kept out of the default bench run (issue 10: the REST fuzzer; issue 14: idle connections, the soak).</summary>
    public bool RunsWhenNamed(string scenario) => Only.Contains(scenario);
}
