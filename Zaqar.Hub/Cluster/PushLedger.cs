using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Cluster;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Cluster;

/// <summary>
/// What this node has pushed, per queue it has subscribers for, so that a message reaches them once whichever way it
/// arrives: pushed by the local post right after its commit, or read back after another node announced it, or found
/// by polling (issue #4).
/// </summary>
/// <remarks>
/// <para>
/// Per queue a watermark (every position up to it was pushed or needs no push) plus the ids pushed above it by local
/// posts, and the ids recently pushed from reads. Positions follow commit order per queue (issue #2), so a read of
/// (watermark, n] at a snapshot where n had committed sees every message up to n: after it the watermark is n. A read
/// may see a local post that committed but whose own push hasn't run yet; the local push then finds its id among the
/// relayed ones and is skipped. The local path skips nothing else, so it never loses a message.
/// </para>
/// <para>With <see cref="ClusterOptions.Enabled"/> off, nothing is tracked and every local post passes. Singleton; thread-safe.</para>
/// </remarks>
public sealed partial class PushLedger(ClusterStore store, IOptions<ClusterOptions> options, TimeProvider time, ILogger<PushLedger> logger)
{
    // Relayed ids only guard against the gap between a local post's commit and its own push (microseconds to
    // milliseconds): a short memory, capped so a busy queue can't grow it. Forgetting early costs a duplicate, never a loss.
    private static readonly TimeSpan RelayedMemory = TimeSpan.FromSeconds(30);
    private const int MaxRelayedRemembered = 20_000;

    private readonly ConcurrentDictionary<QueueRef, Window> _windows = new();
    private readonly Lock _gate = new();

    public bool Enabled { get; } = options.Value.Enabled;

    /// <summary>
    /// A subscriber of <paramref name="queue"/> appeared on this node (call once per subscriber). The first one fixes
    /// where relaying starts: after the queue's current last position, so whatever commits later is pushed.
    /// </summary>
    public async Task WatchAsync(QueueRef queue, CancellationToken ct)
    {
        if (!Enabled)
        {
            return;
        }
        Window window;
        lock (_gate)
        {
            window = _windows.GetOrAdd(queue, static _ => new Window());
            window.Watchers++;
        }
        if (window.Delivered < 0)
        {
            try
            {
                await StartAsync(queue, window, ct);
            }
            catch (Exception ex) when (StorageGuard.IsStorageFailure(ex) || ex is OperationCanceledException)
            {
                // The feed retries at its next poll; until then announced posts are still relayed.
                ClusterLog.WatchStartFailed(logger, queue.Name, ex);
            }
        }
    }

    /// <summary>A subscriber of <paramref name="queue"/> left; the last one ends the tracking.</summary>
    public void Unwatch(QueueRef queue)
    {
        if (!Enabled)
        {
            return;
        }
        lock (_gate)
        {
            if (_windows.TryGetValue(queue, out var window) && --window.Watchers <= 0)
            {
                _windows.TryRemove(queue, out _);
            }
        }
    }

    public bool IsWatched(QueueRef queue) => _windows.ContainsKey(queue);

    /// <summary>
    /// The lock a watched queue's pushes are admitted and handed to connections under; null when this node doesn't watch
    /// the queue. A read's admission and its relay, and a local post's admission and its push, each run as one step under
    /// it. Without that (found by the recovery test under load), a read could admit a local post's message, the post be
    /// acknowledged, and the poster's next message be pushed before the read's relay of the first: out of order. Taken
    /// before any connection's lock (it is the window's own lock, taken again inside).
    /// </summary>
    public object? PushGate(QueueRef queue) => _windows.TryGetValue(queue, out var window) ? window : null;

    /// <summary>Where to read from for each watched queue whose start is known; the others in <paramref name="unstarted"/>.</summary>
    public List<QueueCursor> Cursors(List<QueueRef> unstarted)
    {
        var cursors = new List<QueueCursor>(_windows.Count);
        foreach (var (queue, window) in _windows)
        {
            var cursor = Cursor(queue, long.MaxValue);
            if (cursor is { } c)
            {
                cursors.Add(c);
            }
            else
            {
                unstarted.Add(queue);
            }
        }
        return cursors;
    }

    /// <summary>Where to read <paramref name="queue"/> from, up to <paramref name="upTo"/>; null when unwatched or not started.</summary>
    public QueueCursor? Cursor(QueueRef queue, long upTo)
    {
        if (!_windows.TryGetValue(queue, out var window))
        {
            return null;
        }
        lock (window)
        {
            return window.Delivered < 0 ? null : new QueueCursor(queue, window.QueueId, window.Delivered, upTo);
        }
    }

    /// <summary>Retries the start of a watched queue whose <see cref="WatchAsync"/> could not read the database.</summary>
    public async Task StartAsync(QueueRef queue, CancellationToken ct)
    {
        if (_windows.TryGetValue(queue, out var window) && window.Delivered < 0)
        {
            await StartAsync(queue, window, ct);
        }
    }

    /// <summary>
    /// The pushed views of the local post's messages that were not pushed already; the caller pushes those. Ids and
    /// positions come typed from the store's payload (issue 12 item 6).
    /// </summary>
    public IReadOnlyList<PushedMessageView> AdmitLocal(PostedMessages posted)
    {
        if (!_windows.TryGetValue(posted.Queue, out var window))
        {
            return posted.Views;
        }
        var views = posted.Views;
        List<PushedMessageView>? admitted = null;
        lock (window)
        {
            for (var i = 0; i < posted.Messages.Count; i++)
            {
                var (id, seq) = (posted.Messages[i].Id, posted.Messages[i].Seq);
                if (window.Relayed.Contains(id))
                {
                    // A read pushed it between this post's commit and now.
                    admitted ??= views.Take(i).ToList();
                    continue;
                }
                admitted?.Add(views[i]);
                window.Local[seq] = id;
            }
            window.Compact();
        }
        return admitted ?? views;
    }

    /// <summary>
    /// The messages of a read (<see cref="ClusterStore.ReadAsync"/>) not pushed yet, which the caller pushes; moves the
    /// watermark past what the read covered. <paramref name="complete"/>: the read was not cut by its limit.
    /// </summary>
    public List<RelayedMessage> AdmitRead(QueueNews news, bool complete)
    {
        var admitted = new List<RelayedMessage>(news.Messages.Count);
        if (!_windows.TryGetValue(news.Cursor.Queue, out var window))
        {
            return admitted; // The last subscriber left meanwhile.
        }
        var now = time.GetTimestamp();
        lock (window)
        {
            if (window.Delivered >= 0 && window.QueueId != 0 && window.QueueId != news.QueueId)
            {
                // The queue was deleted and created again: positions restarted, and the read started from the first.
                window.Delivered = 0;
            }
            foreach (var m in news.Messages)
            {
                if (m.Seq <= window.Delivered || (window.Local.TryGetValue(m.Seq, out var local) && local == m.Message.Id) ||
                    window.Relayed.Contains(m.Message.Id))
                {
                    continue;
                }
                admitted.Add(m);
                window.Remember(m.Message.Id, now);
            }
            if (window.Delivered >= 0 && news.FromSeq <= window.Delivered)
            {
                // Everything in (FromSeq, covered] has now been seen at one snapshot.
                var covered = complete ? Math.Min(news.Cursor.UpToSeq, news.LastSeq) : news.Messages[^1].Seq;
                window.Delivered = Math.Max(window.Delivered, covered);
                window.QueueId = news.QueueId;
            }
            window.Forget(now - (long)(RelayedMemory.TotalSeconds * time.TimestampFrequency));
            window.Compact();
        }
        return admitted;
    }

    private async Task StartAsync(QueueRef queue, Window window, CancellationToken ct)
    {
        var (queueId, lastSeq) = await store.PositionAsync(queue, ct);
        lock (window)
        {
            if (window.Delivered < 0)
            {
                window.QueueId = queueId;
                window.Delivered = lastSeq;
                window.Compact();
            }
        }
    }

    /// <summary>One watched queue. Guarded by locking the instance (Watchers by the ledger's gate).</summary>
    private sealed class Window
    {
        public int Watchers;

        /// <summary>The queue row the watermark belongs to; 0 while the queue doesn't exist.</summary>
        public long QueueId;

        /// <summary>The watermark; -1 until the start position is known.</summary>
        public long Delivered = -1;

        /// <summary>Positions pushed by local posts above the watermark, with their ids.</summary>
        public readonly SortedDictionary<long, Guid> Local = new();

        public readonly HashSet<Guid> Relayed = new();

        private readonly Queue<(Guid Id, long At)> _relayedOrder = new();

        public void Remember(Guid id, long at)
        {
            if (Relayed.Add(id))
            {
                _relayedOrder.Enqueue((id, at));
            }
            while (_relayedOrder.Count > MaxRelayedRemembered)
            {
                Relayed.Remove(_relayedOrder.Dequeue().Id);
            }
        }

        public void Forget(long before)
        {
            while (_relayedOrder.TryPeek(out var oldest) && oldest.At < before)
            {
                Relayed.Remove(_relayedOrder.Dequeue().Id);
            }
        }

        /// <summary>Moves the watermark over contiguous local pushes and drops what it passed.</summary>
        public void Compact()
        {
            if (Delivered < 0)
            {
                return;
            }
            while (Local.Count > 0)
            {
                var lowest = Local.Keys.First();
                if (lowest > Delivered + 1)
                {
                    break;
                }
                Delivered = Math.Max(Delivered, lowest);
                Local.Remove(lowest);
            }
        }
    }
}
