using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Npgsql;

namespace Zaqar.Bench;

/// <summary>One operation's latency in one setting, and against the same operation in the small setting.</summary>
internal sealed record ScaleLine(string Operation, string Setting, double P50Ms, double P99Ms, double BaseP50Ms, double BaseP99Ms)
{
    public double P99Ratio => P99Ms / BaseP99Ms;

    public override string ToString() =>
        $"  {Operation,-28} {Setting,-26} p50 {P50Ms,7:N2} ms  p99 {P99Ms,7:N2} ms" + (double.IsNaN(BaseP99Ms) ? string.Empty :
            $"   small: p50 {BaseP50Ms,6:N2} p99 {BaseP99Ms,6:N2}   p50 x{P50Ms / BaseP50Ms:N2}  p99 x{P99Ratio:N2}");
}

/// <summary>The scale figures: each operation on a big queue and in a big project against a small one, and the listing.</summary>
internal sealed record ScaleResult(int Rounds, long BigQueueMessages, int ProjectQueues, IReadOnlyList<ScaleLine> Lines, double ListP99Ms, double StatsP99Ms)
{
    public override string ToString() =>
        $"scale ({Rounds} rounds, one client, settings measured in turn): a queue of {BigQueueMessages:N0} messages and a project of " +
        $"{ProjectQueues:N0} queues against a queue of {ScaleScenario.SmallQueueMessages:N0} messages in a project of one\n" +
        string.Join("\n", Lines);
}

/// <summary>
/// Issue 14 item 6: does the cost of claim, list by marker and post stay flat as the work grows? A queue holding a
/// million messages and a queue in a project of ten thousand queues, each against a small queue alone in its project,
/// over REST from one client. The settings are measured in turn within each round, so the machine's noise hits them
/// alike. Also a page of the big project's queue listing and one of its queues' stats.
/// </summary>
internal static class ScaleScenario
{
    public const int SmallQueueMessages = 5_000;

    public static async Task<ScaleResult> RunAsync(BenchHost host, long bigQueueMessages, int projectQueues, int rounds)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var small = ("bench-scale-small-" + tag, "work");
        var bigQueue = ("bench-scale-deep-" + tag, "work");
        var bigProject = ("bench-scale-wide-" + tag, $"q{projectQueues / 2:D5}");
        Console.WriteLine($"scale: filling a queue with {bigQueueMessages:N0} messages and a project with {projectQueues:N0} queues...");
        var fill = Stopwatch.StartNew();
        await RestScenarios.PrefillAsync(host, small.Item1, small.Item2, SmallQueueMessages);
        await RestScenarios.PrefillAsync(host, bigQueue.Item1, bigQueue.Item2, (int)bigQueueMessages);
        await CreateQueuesAsync(host, bigProject.Item1, projectQueues);
        await RestScenarios.PrefillAsync(host, bigProject.Item1, bigProject.Item2, SmallQueueMessages);
        await VacuumAnalyzeAsync(host);
        Console.WriteLine($"scale: filled in {fill.Elapsed.TotalSeconds:N0} s; measuring {rounds} rounds...");

        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var settings = new[] { small, bigQueue, bigProject };
        // A marker in the middle of each queue: the id of a message found by listing from the start.
        var markers = new Dictionary<string, string>();
        foreach (var (project, queue) in settings)
        {
            markers[project] = await MiddleMarkerAsync(http, project, queue);
        }
        var latencies = new Dictionary<(string Operation, string Project), List<double>>();
        var list = new List<double>();
        var stats = new List<double>();
        void Record(string operation, string project, double ms) =>
            (latencies.TryGetValue((operation, project), out var l) ? l : latencies[(operation, project)] = []).Add(ms);
        for (var round = 0; round < rounds + 5; round++)
        {
            var warm = round < 5;
            foreach (var (project, queue) in settings)
            {
                var (claimMs, ids, claimId) = await TimeClaimAsync(http, project, queue);
                var deleteOk = ids.Count == 0 || await SendAsync(http, HttpMethod.Delete,
                    $"/v2/queues/{queue}/messages?ids={string.Join(",", ids)}&claim_ids={claimId}", project, null) is { Status: HttpStatusCode.NoContent };
                var listMs = (await SendAsync(http, HttpMethod.Get, $"/v2/queues/{queue}/messages?marker={markers[project]}&limit=10&echo=true", project, null)).Ms;
                var postMs = (await SendAsync(http, HttpMethod.Post, $"/v2/queues/{queue}/messages", project,
                    "{\"messages\":[{\"ttl\":3600,\"body\":" + Payloads.Body + "}]}")).Ms;
                if (!deleteOk || ids.Count == 0)
                {
                    throw new InvalidOperationException($"scale: nothing left to claim in {project}/{queue}");
                }
                if (!warm)
                {
                    Record("claim 10", project, claimMs);
                    Record("list 10 after a marker", project, listMs);
                    Record("post 1", project, postMs);
                }
            }
            var listing = await SendAsync(http, HttpMethod.Get, $"/v2/queues?limit=20&marker=q{projectQueues / 3:D5}", bigProject.Item1, null);
            var stat = await SendAsync(http, HttpMethod.Get, $"/v2/queues/{bigProject.Item2}/stats", bigProject.Item1, null);
            if (!warm)
            {
                list.Add(listing.Ms);
                stats.Add(stat.Ms);
            }
        }

        var lines = new List<ScaleLine>();
        foreach (var operation in new[] { "claim 10", "list 10 after a marker", "post 1" })
        {
            var (b50, b99) = Percentiles(latencies[(operation, small.Item1)]);
            foreach (var (project, label) in new[] { (bigQueue.Item1, $"{bigQueueMessages:N0} messages"), (bigProject.Item1, $"{projectQueues:N0} queues") })
            {
                var (p50, p99) = Percentiles(latencies[(operation, project)]);
                lines.Add(new ScaleLine(operation, label, p50, p99, b50, b99));
            }
        }
        var (_, list99) = Percentiles(list);
        var (_, stats99) = Percentiles(stats);
        lines.Add(new ScaleLine("queue listing, page of 20", $"{projectQueues:N0} queues", Percentiles(list).P50, list99, double.NaN, double.NaN));
        lines.Add(new ScaleLine("queue stats", $"{projectQueues:N0} queues", Percentiles(stats).P50, stats99, double.NaN, double.NaN));
        return new ScaleResult(rounds, bigQueueMessages, projectQueues, lines, list99, stats99);
    }

    private static (double P50, double P99) Percentiles(List<double> values)
    {
        values.Sort();
        return (LoadRunner.Percentile(values, 0.50), LoadRunner.Percentile(values, 0.99));
    }

    /// <summary>Queues made straight in the table (as the service makes a queue without metadata): ten thousand PUTs would only time HTTP.</summary>
    private static async Task CreateQueuesAsync(BenchHost host, string project, int count)
    {
        await using var source = NpgsqlDataSource.Create(host.ConnectionString);
        await using var insert = source.CreateCommand(
            """
            INSERT INTO queues (project, kind, name, metadata, created_at)
            SELECT @project, 0, 'q' || lpad(g::text, 5, '0'), '{}', now() FROM generate_series(0, @count - 1) g
            ON CONFLICT DO NOTHING
            """);
        insert.Parameters.AddWithValue("project", project);
        insert.Parameters.AddWithValue("count", count);
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>The steady state: the visibility map and statistics as autovacuum would have them after such a load.</summary>
    private static async Task VacuumAnalyzeAsync(BenchHost host)
    {
        await using var source = NpgsqlDataSource.Create(host.ConnectionString);
        await using var vacuum = source.CreateCommand("VACUUM (ANALYZE) messages, queues");
        vacuum.CommandTimeout = 600;
        await vacuum.ExecuteNonQueryAsync();
    }

    private static async Task<string> MiddleMarkerAsync(HttpClient http, string project, string queue)
    {
        // The stats' oldest and newest ids carry their positions (README, "How the queue works"): the middle one is a
        // position between them, with any random half.
        using var response = await http.SendAsync(RestScenarios.Request(HttpMethod.Get, $"/v2/queues/{queue}/stats", project, null));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var messages = document.RootElement.GetProperty("messages");
        long Seq(string which) => Zaqar.Data.MessageIds.SeqOf(Guid.Parse(messages.GetProperty(which).GetProperty("href").GetString()!.Split('/')[^1]));
        return Zaqar.Data.MessageIds.Compose((Seq("oldest") + Seq("newest")) / 2, 0).ToString();
    }

    private static async Task<(double Ms, List<string> Ids, string ClaimId)> TimeClaimAsync(HttpClient http, string project, string queue)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(RestScenarios.Request(HttpMethod.Post, $"/v2/queues/{queue}/claims?limit=10", project, "{\"ttl\":300,\"grace\":60}"));
        var body = await response.Content.ReadAsStringAsync();
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (response.StatusCode != HttpStatusCode.Created)
        {
            return (ms, [], string.Empty);
        }
        using var document = JsonDocument.Parse(body);
        var ids = document.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToList();
        return (ms, ids, response.Headers.Location!.OriginalString.Split('/')[^1]);
    }

    private static async Task<(double Ms, HttpStatusCode Status)> SendAsync(HttpClient http, HttpMethod method, string path, string project, string? body)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(RestScenarios.Request(method, path, project, body));
        await response.Content.ReadAsByteArrayAsync();
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"scale: {method} {path}: {(int)response.StatusCode}");
        }
        return (ms, response.StatusCode);
    }
}
