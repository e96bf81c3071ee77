namespace Zaqar.Bench.Drills;

/// <summary>Drill "catalogue-restart" (issue 16): the catalogue database goes away for every node.</summary>
internal static class CatalogueDrills
{

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
}
