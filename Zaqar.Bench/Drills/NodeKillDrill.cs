using Zaqar.Hub.Tests.Cluster;

namespace Zaqar.Bench.Drills;

/// <summary>
/// Drill "node-kill" (issue 16): kill -9 one service node under steady posting, claiming and subscribed consumers. The
/// clients reconnect through HAProxy to the other nodes; subscribers resubscribe from their last message. Verdicts: no
/// acknowledged post lost (each is deleted by a claimer or still in its queue, and reached every subscriber), no message
/// delivered twice to a subscriber, and the claim history checker finds no message under two live claims.
/// </summary>
internal static class NodeKillDrill
{
    public static async Task RunAsync(DrillContext drill, DrillTimes times)
    {
        const string events = "drill-events", work = "drill-work";
        await drill.CreateQueueAsync(events, "a");
        await drill.CreateQueueAsync(work, "b");
        await using var subscribers = new DrillSubscribers(drill, events);
        await subscribers.StartAsync(perTransport: 3);
        drill.Say($"project {drill.Project}: {subscribers.All.Count} subscribers on {events} (pool-a), claimers on {work} (pool-b)");
        var eventPosts = new DrillPosters(drill, events, posters: 2, TimeSpan.FromMilliseconds(20));
        var workPosts = new DrillPosters(drill, work, posters: 2, TimeSpan.FromMilliseconds(20));
        // Issue 16 item 3: 32 claimers through the balancer, half over REST and half over the hub, releasing and abandoning
        // some claims, every claim, delete and release recorded for the history check.
        var history = new ClaimHistory(TimeProvider.System.GetUtcNow);
        var claimers = new ClaimHistoryWorkload([drill.Balancer], drill.Project, work, history) { Claims = long.MaxValue, Posting = false };
        using var stopClaiming = new CancellationTokenSource();
        eventPosts.Start();
        workPosts.Start();
        var claiming = claimers.RunAsync(stopClaiming.Token);

        await Task.Delay(times.Before);
        // The node most subscribers are on (by the balancer's sticky cookie), so the drill always breaks some of them.
        var victim = subscribers.All.GroupBy(s => s.Node).Where(g => g.Key.StartsWith("node", StringComparison.Ordinal))
            .OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault() ?? "node2";
        drill.Say($"subscribers per node: {string.Join(", ", subscribers.All.GroupBy(s => s.Node).Select(g => $"{g.Key} {g.Count()}"))}");
        var killedAt = drill.Now;
        await drill.ClusterAsync("kill", victim);
        drill.Say($"kill -9 {victim}");
        await Task.Delay(times.During);
        await drill.ClusterAsync("start", victim);
        drill.Say($"{victim} started again and ready");
        await Task.Delay(times.After);

        await eventPosts.StopAsync();
        await workPosts.StopAsync();
        drill.Say($"posting stopped: {eventPosts.Acknowledged.Count + workPosts.Acknowledged.Count} acknowledged, " +
            $"{eventPosts.Failed + workPosts.Failed} failed (not acknowledged, not expected anywhere)");
        drill.Say($"posts since the kill: {eventPosts.Failures(killedAt)}; {workPosts.Failures(killedAt)}");
        drill.Say($"longest time without an acknowledged post from the kill on: {events} " +
            $"{eventPosts.LongestGap(killedAt, drill.Now)} ms, {work} {workPosts.LongestGap(killedAt, drill.Now)} ms");

        var converged = await subscribers.ConvergeAsync([.. eventPosts.Acknowledged.Keys], TimeSpan.FromSeconds(30));
        await DrillContext.UntilAsync(async () => (await drill.ListIdsAsync(work)).Count == 0, TimeSpan.FromSeconds(10));
        await stopClaiming.CancelAsync();
        await claiming;
        drill.Say($"subscribers {(converged ? "caught up" : "did NOT catch up in 30 s")}; claimers made {history.ClaimCount} claims " +
            $"({claimers.FailedCalls} failed calls)");

        foreach (var s in subscribers.All)
        {
            var missed = eventPosts.Acknowledged.Keys.Count(id => !s.Received.ContainsKey(id));
            var twice = s.Received.Count(r => r.Value > 1);
            drill.Say($"  {s.Name,-36} now on {s.Node}, reconnects {s.Reconnects}, received {s.Received.Count}, missed {missed}, duplicates {twice}");
        }
        var subscriberMisses = subscribers.All.Sum(s => eventPosts.Acknowledged.Keys.Count(id => !s.Received.ContainsKey(id)));
        var duplicates = subscribers.All.Sum(s => s.Received.Count(r => r.Value > 1));
        var remaining = await drill.ListIdsAsync(work);
        history.Posted(workPosts.Acknowledged.Keys);
        var checkedHistory = history.Verify(remaining);
        var lostWork = checkedHistory.Lost;
        var lostEvents = (await drill.ListIdsAsync(events)) is var stored ? eventPosts.Acknowledged.Keys.Count(id => !stored.Contains(id)) : 0;

        drill.Say("verdicts:");
        drill.Verdict("acknowledged posts lost", lostWork + lostEvents == 0,
            $"{lostWork + lostEvents} of {eventPosts.Acknowledged.Count + workPosts.Acknowledged.Count} " +
            $"({work}: {checkedHistory.DeletesDone} deleted by claimers + {remaining.Count} still queued; {events}: all {stored.Count} stored)");
        drill.Verdict("acknowledged posts a subscriber missed", subscriberMisses == 0,
            $"{subscriberMisses} over {subscribers.All.Count} subscribers x {eventPosts.Acknowledged.Count} posts");
        drill.Verdict("messages delivered twice to a subscriber", duplicates == 0, $"{duplicates}");
        drill.Say("  " + checkedHistory);
        var violations = checkedHistory.DoubleClaims + checkedHistory.ClaimedAfterDelete + checkedHistory.DeletedByNonHolder;
        drill.Verdict("claim history: a message under two live claims, claimed after its delete, or deleted by a non-holder", violations == 0,
            $"{violations} in {checkedHistory.MessagesClaimed} claimed messages ({checkedHistory.Claims} claims, " +
            $"{checkedHistory.Redeliveries} redeliveries after a release or expiry)");
        drill.Verdict("subscribers that lost their node and reconnected", subscribers.All.Any(s => s.Reconnects > 0),
            $"{subscribers.All.Count(s => s.Reconnects > 0)} of {subscribers.All.Count}");
    }
}
