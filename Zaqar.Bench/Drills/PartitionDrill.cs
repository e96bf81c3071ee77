namespace Zaqar.Bench.Drills;

/// <summary>
/// Drill "partition" (issue 16): node3 is cut off from every PostgreSQL (the catalogue and both pools, primaries and
/// replicas) as a network partition would: packets dropped both ways, nothing refused (deploy/cluster.sh partition node3,
/// a firewall rule on node3's connections). Verdicts: node3 reports not ready (its checks are bounded, so it answers
/// despite the silence), HAProxy drains it, posts through the balancer to both pools go on, node3 comes back once healed
/// and serves both pools again, and no acknowledged post is lost.
/// </summary>
internal static class PartitionDrill
{
    public static async Task RunAsync(DrillContext drill, DrillTimes times)
    {
        const string onA = "drill-a", onB = "drill-b";
        var (postsA, postsB) = await DrillPosters.StartOnBothPoolsAsync(drill, postersOnA: 2, TimeSpan.FromMilliseconds(20));
        var node3Address = DrillContext.NodeAddress("node3");
        using var node3 = drill.Http(TimeSpan.FromSeconds(10), node3Address);
        await Task.Delay(times.Before);

        var cutAt = drill.Now;
        await drill.ClusterAsync("partition", "node3");
        drill.Say("node3 cut off every PostgreSQL (packets dropped both ways)");
        var notReady = await DrillContext.UntilAsync(async () => !(await node3.GetAsync("/health/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60));
        var notReadyAt = drill.Now;
        var drained = await DrillContext.UntilAsync(async () => await DrillContext.BalancerStateAsync("node3") == "DOWN", TimeSpan.FromSeconds(30));
        var drainedAt = drill.Now;
        drill.Say($"node3 not ready after {notReadyAt - cutAt} ms; HAProxy marked it DOWN after {drainedAt - cutAt} ms");
        // What a client pinned to node3 sees meanwhile (not a verdict: it waits for Npgsql's timeouts, then Zaqar's 503).
        var directAt = drill.Now;
        var direct = await DirectPostAsync(node3, onB);
        drill.Say($"a post sent to node3 itself while it is cut off: {direct} after {drill.Now - directAt} ms");
        await Task.Delay(times.During);
        var live = await node3.GetAsync("/health/live");
        drill.Say($"node3 stays alive meanwhile: /health/live {(int)live.StatusCode}");

        var healAt = drill.Now;
        await drill.ClusterAsync("heal", "node3");
        var back = await DrillContext.UntilAsync(async () => await DrillContext.BalancerStateAsync("node3") == "UP", TimeSpan.FromSeconds(90));
        var backAt = drill.Now;
        drill.Say($"healed: node3 back in HAProxy after {backAt - healAt} ms");
        var servesA = await DirectPostAsync(node3, onA);
        var servesB = await DirectPostAsync(node3, onB);
        drill.Say($"posts sent to node3 itself after healing: {onA} {servesA}, {onB} {servesB}");
        await Task.Delay(times.After);
        await postsA.StopAsync();
        await postsB.StopAsync();

        var storedA = await drill.ListIdsAsync(onA);
        var storedB = await drill.ListIdsAsync(onB);
        var lost = postsA.Acknowledged.Keys.Count(id => !storedA.Contains(id)) + postsB.Acknowledged.Keys.Count(id => !storedB.Contains(id));
        var pause = Math.Max(postsA.LongestGap(cutAt, healAt), postsB.LongestGap(cutAt, healAt));
        drill.Say($"posts: {onA} {postsA.Acknowledged.Count} acknowledged, {postsA.Failures(cutAt)}; {onB} {postsB.Acknowledged.Count}, {postsB.Failures(cutAt)}");
        drill.Say("verdicts:");
        drill.Verdict("node3 reports not ready", notReady, $"{notReadyAt - cutAt} ms after the cut");
        drill.Verdict("HAProxy drained node3", drained, $"{drainedAt - cutAt} ms after the cut");
        // Posts that reached node3 before HAProxy took it out wait for their database and fail: a pause of a few seconds
        // (the balancer's checks, 2 x 1 s) is the cost, not one as long as the partition.
        drill.Verdict("posts through the balancer went on during the partition", pause < (healAt - cutAt) / 2,
            $"longest pause {pause} ms of a {healAt - cutAt} ms partition");
        drill.Verdict("node3 back after healing, serving both pools", back && servesA == "201" && servesB == "201", $"{backAt - healAt} ms");
        drill.Verdict("acknowledged posts lost", lost == 0, $"{lost} of {postsA.Acknowledged.Count + postsB.Acknowledged.Count}");
    }

    private static async Task<string> DirectPostAsync(HttpClient node, string queue)
    {
        try
        {
            using var response = await node.PostAsync($"/v2/queues/{queue}/messages",
                new StringContent("""{"messages": [{"body": "direct", "ttl": 3600}]}""", System.Text.Encoding.UTF8, "application/json"));
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return "no answer (" + ex.GetType().Name + ")";
        }
    }
}
