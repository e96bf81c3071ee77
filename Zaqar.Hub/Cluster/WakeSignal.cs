namespace Zaqar.Hub.Cluster;

/// <summary>
/// Wakes a loop that runs on a thread of its own (issue 14 item 4): producers hand work off (to a queue) and then
/// <see cref="Set"/>; the loop blocks in <see cref="Take"/> and then drains the queue.
/// </summary>
/// <remarks>
/// An awaited channel would resume the loop through the thread pool's queue, which under a fan-out's load is thousands
/// of work items long: every hop of the cross-node path waited there. A set signal releases the blocked thread
/// directly. Work handed off after a <see cref="Take"/> sets the signal again, so none waits for a later one.
/// Thread-safe; one thread takes. Nothing to dispose: the event's kernel handle is never asked for.
/// </remarks>
internal sealed class WakeSignal
{
    private readonly ManualResetEventSlim _set = new(initialState: false);

    public void Set() => _set.Set();

    /// <summary>Blocks until set (at once when set already), then clears it; throws when <paramref name="ct"/> is canceled.</summary>
    public void Take(CancellationToken ct)
    {
        _set.Wait(ct);
        _set.Reset();
    }

    /// <summary>Clears it without waiting (the loop is about to look at everything handed off so far).</summary>
    public void Clear() => _set.Reset();
}
