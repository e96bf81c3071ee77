using Zaqar.Data;
using System.Collections.Concurrent;

namespace Zaqar.Hub.Api;

/// <summary>
/// Wakes whoever waits for new messages on a queue (consume streams) when a post commits, so they claim at
/// once instead of polling.
/// </summary>
/// <remarks>
/// A waiter takes the queue's current <see cref="Waiter"/> BEFORE it looks for messages, then awaits it only
/// if it found none: a post that commits in between completes that very waiter, so no wake-up is lost.
/// Singleton; thread-safe.
/// </remarks>
public sealed class QueueActivity : IMessageObserver
{
    private readonly ConcurrentDictionary<QueueRef, TaskCompletionSource> _waiters = new();

    /// <summary>The task the next post to the queue completes.</summary>
    public Task Waiter(QueueRef queue) =>
        _waiters.GetOrAdd(queue, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Posted(PostedMessages posted) => Signal(posted.Queue);

    /// <summary>Wakes the queue's waiters (also used when posts arrive from other nodes).</summary>
    public void Signal(QueueRef queue)
    {
        if (_waiters.TryRemove(queue, out var waiter))
        {
            waiter.TrySetResult();
        }
    }

    /// <summary>Wakes every waiter, to look again (wake-ups from other nodes may have been missed).</summary>
    public void SignalAll()
    {
        foreach (var queue in _waiters.Keys)
        {
            Signal(queue);
        }
    }
}
