using System.Diagnostics;
using Zaqar.Hub.Tests.Cluster;

namespace Zaqar.Bench.Drills;

/// <summary>
/// Drill "history" (issue 16 item 3, the long scenario): 32 claimers (half REST, half the hub; 1 or 2 messages a claim) and two posters through
/// the balancer on a queue of pool-a, recording every claim, delete and release, while the other drills' faults come
/// round in turn (kill -9 of a service node, kill -9 of pool-a's primary with synchronous replication, a restart of the
/// catalogue, node3 cut off from PostgreSQL), one after another with a quiet spell between, until the claims asked for
/// are made. Then the history is checked (<see cref="ClaimHistory"/>): no message ever under two live claims, none
/// claimed after its delete or deleted by a claim that did not hold it, and every acknowledged post deleted or still queued.
/// </summary>
internal static class HistoryDrill
{
    private static readonly string[] Nodes = ["node1", "node2", "node3"];

    public static async Task RunAsync(DrillContext drill, long claims, TimeSpan quiet)
    {
        const string queue = "drill-history";
        await drill.ClusterAsync("sync", "on", "pool-a");
        await drill.CreateQueueAsync(queue, "a");
        var history = new ClaimHistory(TimeProvider.System.GetUtcNow);
        var workload = new ClaimHistoryWorkload([drill.Balancer, drill.Balancer], drill.Project, queue, history) { Claims = claims, ClaimLimit = 2 };
        drill.Say($"project {drill.Project}: {workload.Claimers} claimers and 2 posters through the balancer on {queue} (pool-a), " +
            $"until {claims:N0} claims; a fault every {quiet.TotalSeconds:N0} s of quiet");
        var clock = Stopwatch.StartNew();
        var run = workload.RunAsync(CancellationToken.None);
        var faults = new List<string>();
        var progress = Task.Run(async () =>
        {
            while (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60))) != run)
            {
                drill.Say($"{history.ClaimCount:N0} claims ({history.ClaimCount / clock.Elapsed.TotalSeconds:N0}/s), " +
                    $"{history.DeletedCount:N0} deleted, {workload.FailedCalls:N0} failed calls, {faults.Count} faults so far");
            }
        });
        for (var round = 0; !run.IsCompleted; round++)
        {
            if (await Task.WhenAny(run, Task.Delay(quiet)) == run)
            {
                break;
            }
            var claimsBefore = history.ClaimCount;
            var failedBefore = workload.FailedCalls;
            var started = drill.Now;
            var fault = await InjectAsync(drill, round);
            faults.Add(fault);
            drill.Say($"fault {faults.Count}: {fault} took {drill.Now - started} ms; meanwhile {history.ClaimCount - claimsBefore:N0} claims, " +
                $"{workload.FailedCalls - failedBefore:N0} failed calls");
        }
        await run;
        await progress;
        drill.Say($"{history.ClaimCount:N0} claims in {clock.Elapsed.TotalMinutes:N1} min under {faults.Count} faults; draining and checking");
        // What is claimable goes; claims left to expire keep theirs, which the check finds still in the queue.
        await DrillContext.UntilAsync(async () =>
        {
            await workload.DrainAsync(CancellationToken.None);
            return true;
        }, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(2));
        var verdict = history.Verify(await workload.RemainingAsync(CancellationToken.None));

        drill.Say("verdicts:");
        drill.Say("  " + verdict);
        var violations = verdict.DoubleClaims + verdict.ClaimedAfterDelete + verdict.DeletedByNonHolder;
        drill.Verdict("claim history: a message under two live claims, claimed after its delete, or deleted by a non-holder", violations == 0,
            $"{violations} in {verdict.MessagesClaimed:N0} claimed messages ({verdict.Claims:N0} claims, {verdict.Redeliveries:N0} redeliveries)");
        drill.Verdict("acknowledged posts lost", verdict.Lost == 0, $"{verdict.Lost} of {verdict.Posted:N0}");
        drill.Verdict("claims made", history.ClaimCount >= claims, $"{history.ClaimCount:N0} of {claims:N0} asked");
        var kinds = faults.Select(f => f.Split(':')[0]).Distinct().Count();
        drill.Verdict("every kind of fault injected", kinds == 4, $"{faults.Count} faults of {kinds} kinds: " +
            string.Join(", ", faults.GroupBy(f => f.Split(':')[0]).Select(g => $"{g.Key} x{g.Count()}")));
    }

    /// <summary>The round's fault, in turn: a node killed, pool-a's primary killed, the catalogue restarted, node3 cut off.</summary>
    private static async Task<string> InjectAsync(DrillContext drill, int round)
    {
        switch (round % 4)
        {
            case 0:
                var node = Nodes[round / 4 % Nodes.Length];
                await drill.ClusterAsync("kill", node);
                await Task.Delay(TimeSpan.FromSeconds(10));
                await drill.ClusterAsync("start", node);
                return $"node-kill: kill -9 {node}, started again 10 s later";
            case 1:
                var primary = await drill.ClusterAsync("leader", "pool-a");
                await drill.ClusterAsync("crash", primary);
                var promoted = "";
                var promotedIn = Stopwatch.StartNew();
                await DrillContext.UntilAsync(async () =>
                {
                    promoted = await drill.ClusterAsync("leader", "pool-a");
                    return promoted.Length > 0 && promoted != primary;
                }, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(250));
                var promotion = promotedIn.ElapsedMilliseconds;
                await drill.ClusterAsync("revive", primary);
                return $"pool-failover: kill -9 pool-a's primary {primary}, {promoted} promoted in {promotion} ms, {primary} back as a replica";
            case 2:
                await drill.ClusterAsync("restart", "catalogue");
                return "catalogue-restart: both members of the catalogue restarted";
            default:
                await drill.ClusterAsync("partition", "node3");
                await Task.Delay(TimeSpan.FromSeconds(15));
                await drill.ClusterAsync("heal", "node3");
                return "partition: node3 cut off every PostgreSQL for 15 s";
        }
    }
}
