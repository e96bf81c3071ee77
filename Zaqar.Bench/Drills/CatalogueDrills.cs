namespace Zaqar.Bench.Drills;

/// <summary>Drills "catalogue-restart" and "partition" (issue 16): the catalogue database goes away for all nodes, or for one.</summary>
internal static class CatalogueDrills
{
    private static readonly Uri Stats = new("http://127.0.0.1:5899/;csv");
    private static readonly Uri Node3 = new("http://127.0.0.1:5803");

    /// <summary>
    /// Restarts the catalogue's PostgreSQL (both members) under posting to queues whose routes the nodes cached, while a
    /// new queue is created every half second. Verdicts: no acknowledged post lost; cached routes kept serving (posts were
    /// acknowledged while the catalogue was away); placement resumed (a new queue was created after the restart).
    /// </summary>
    public static async Task RestartAsync(DrillContext drill, DrillTimes times)
    {
        const string onA = "drill-a", onB = "drill-b";
        var (postsA, postsB) = await DrillPosters.StartOnBothPoolsAsync(drill, postersOnA: 2, TimeSpan.FromMilliseconds(20));
        await Task.Delay(times.Before);

        var placements = new List<(long At, bool Created)>();
        using var stopPlacing = new CancellationTokenSource();
        var placing = Task.Run(async () =>
        {
            for (var i = 0; !stopPlacing.IsCancellationRequested; i++)
            {
                var created = false;
                try
                {
                    await drill.CreateQueueAsync($"drill-new-{i}", i % 2 == 0 ? "a" : "b");
                    created = true;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // Counted below.
                }
                lock (placements)
                {
                    placements.Add((drill.Now, created));
                }
                await Task.Delay(500, CancellationToken.None);
            }
        });

        var restartAt = drill.Now;
        await drill.ClusterAsync("restart", "catalogue");
        var restartedAt = drill.Now;
        drill.Say($"patronictl restart of the catalogue (both members) took {restartedAt - restartAt} ms");
        await Task.Delay(times.During);
        await stopPlacing.CancelAsync();
        await placing;
        await postsA.StopAsync();
        await postsB.StopAsync();

        var acknowledgedDuring = postsA.Acknowledged.Values.Count(t => t >= restartAt && t <= restartedAt) +
            postsB.Acknowledged.Values.Count(t => t >= restartAt && t <= restartedAt);
        drill.Say($"posts during the restart: {acknowledgedDuring} acknowledged; {postsA.Failures(restartAt)}; {postsB.Failures(restartAt)}");
        var failedPlacements = placements.Where(p => !p.Created).ToList();
        // Placement resumed with the first queue created after the last failure.
        var lastFailure = placements.Where(p => !p.Created).Select(p => p.At).DefaultIfEmpty(restartAt).Max();
        var resumedAfter = placements.Where(p => p.Created && p.At > lastFailure).Select(p => p.At - restartAt).DefaultIfEmpty(-1).Min();
        drill.Say($"queue creations: {placements.Count(p => p.Created)} succeeded, {failedPlacements.Count} failed " +
            (failedPlacements.Count > 0 ? $"(from {failedPlacements[0].At - restartAt} to {failedPlacements[^1].At - restartAt} ms after the restart began)" : ""));

        var storedA = await drill.ListIdsAsync(onA);
        var storedB = await drill.ListIdsAsync(onB);
        var lost = postsA.Acknowledged.Keys.Count(id => !storedA.Contains(id)) + postsB.Acknowledged.Keys.Count(id => !storedB.Contains(id));
        drill.Say("verdicts:");
        drill.Verdict("acknowledged posts lost", lost == 0, $"{lost} of {postsA.Acknowledged.Count + postsB.Acknowledged.Count}");
        drill.Verdict("cached routes kept serving while the catalogue was away", acknowledgedDuring > 0,
            $"{acknowledgedDuring} posts acknowledged during the restart, longest pause " +
            $"{Math.Max(postsA.LongestGap(restartAt, restartedAt), postsB.LongestGap(restartAt, restartedAt))} ms");
        drill.Verdict("placement resumed", placements.Count > 0 && placements[^1].Created,
            $"queues created again from {resumedAfter} ms after the restart began");
    }

    /// <summary>
    /// Cuts node3 off the catalogue database (its connections go through a TCP hop in HAProxy, which the drill disables):
    /// node3 must report not ready and HAProxy take it out; posts through the balancer go on. Then heals it.
    /// </summary>
    public static async Task PartitionAsync(DrillContext drill, DrillTimes times)
    {
        const string queue = "drill-a";
        await drill.CreateQueueAsync(queue, "a");
        var posts = new DrillPosters(drill, queue, posters: 3, TimeSpan.FromMilliseconds(20));
        posts.Start();
        using var node3 = drill.Http(TimeSpan.FromSeconds(5), Node3);
        using var stats = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Task.Delay(times.Before);

        var cutAt = drill.Now;
        await drill.ClusterAsync("partition", "node3");
        drill.Say("node3 cut off the catalogue database");
        var notReady = await DrillContext.UntilAsync(async () => !(await node3.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60));
        var notReadyAt = drill.Now;
        var drained = await DrillContext.UntilAsync(async () => await StateAsync(stats, "node3") == "DOWN", TimeSpan.FromSeconds(30));
        var drainedAt = drill.Now;
        drill.Say($"node3 not ready after {notReadyAt - cutAt} ms; HAProxy marked it DOWN after {drainedAt - cutAt} ms");
        await Task.Delay(times.During);
        var live = await node3.GetAsync("/health/live");
        drill.Say($"node3 stays alive meanwhile: /health/live {(int)live.StatusCode}");

        var healAt = drill.Now;
        await drill.ClusterAsync("heal", "node3");
        var back = await DrillContext.UntilAsync(async () => await StateAsync(stats, "node3") == "UP", TimeSpan.FromSeconds(60));
        var backAt = drill.Now;
        drill.Say($"healed: node3 back in HAProxy after {backAt - healAt} ms");
        await Task.Delay(times.After);
        await posts.StopAsync();

        var stored = await drill.ListIdsAsync(queue);
        var lost = posts.Acknowledged.Keys.Count(id => !stored.Contains(id));
        drill.Say($"posts: {posts.Acknowledged.Count} acknowledged, {posts.Failures(cutAt)}");
        drill.Say("verdicts:");
        drill.Verdict("node3 reports not ready", notReady, $"{notReadyAt - cutAt} ms after the cut");
        drill.Verdict("HAProxy drained node3", drained, $"{drainedAt - cutAt} ms after the cut");
        drill.Verdict("node3 back after healing", back, $"{backAt - healAt} ms");
        drill.Verdict("acknowledged posts lost", lost == 0, $"{lost} of {posts.Acknowledged.Count}");
    }

    /// <summary>The state HAProxy's stats page gives <paramref name="server"/> in backend "nodes" (UP, DOWN, ...).</summary>
    private static async Task<string> StateAsync(HttpClient stats, string server)
    {
        var csv = await stats.GetStringAsync(Stats);
        var row = csv.Split('\n').Select(l => l.Split(',')).FirstOrDefault(f => f.Length > 17 && f[0] == "nodes" && f[1] == server);
        return row?[17] ?? "?";
    }
}
