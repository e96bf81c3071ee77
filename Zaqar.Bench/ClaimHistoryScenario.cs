using System.Diagnostics;
using Zaqar.Hub.Tests.Cluster;

namespace Zaqar.Bench;

/// <summary>
/// Issue 16 item 3, the long run: 32 claimers over REST and the hub across two service nodes (or the nodes named, for
/// example through a load balancer of a deployment) make claims until the count asked for, with releases and expiries,
/// while posters keep work ahead of them; then the whole history is checked (<see cref="ClaimHistory"/>).
/// </summary>
internal static class ClaimHistoryScenario
{
    public static async Task<ClaimHistoryVerdict> RunAsync(BenchHost host, BenchOptions options)
    {
        var nodes = options.HistoryNodes.Count > 0 ? options.HistoryNodes : [host.BaseAddress, await host.AddNodeAsync()];
        var history = new ClaimHistory(TimeProvider.System.GetUtcNow);
        var project = "bench-history-" + Guid.NewGuid().ToString("N")[..8];
        var workload = new ClaimHistoryWorkload(nodes, project, "work", history) { Claims = options.HistoryClaims };
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var run = workload.RunAsync(stop.Token);
        while (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) != run)
        {
            Console.WriteLine($"  claim history: {history.ClaimCount:N0} claims after {clock.Elapsed.TotalSeconds:N0} s " +
                $"({history.ClaimCount / clock.Elapsed.TotalSeconds:N0}/s), {history.DeletedCount:N0} deleted");
        }
        await run;
        Console.WriteLine($"  claim history: {history.ClaimCount:N0} claims in {clock.Elapsed.TotalSeconds:N0} s on {nodes.Count} nodes; draining and checking");
        // What is claimable now goes; claims left to expire keep theirs, which the check finds still in the queue.
        await workload.DrainAsync(CancellationToken.None);
        return history.Verify(await workload.RemainingAsync(CancellationToken.None));
    }
}
