using Microsoft.AspNetCore.SignalR;
using System.Diagnostics;
using Zaqar.Data;
using Zaqar.Hub.Telemetry;

namespace Zaqar.Hub.Hubs;

public sealed partial class PushDispatcher
{
    /// <summary>
    /// One connection's subscriptions, its pending pushes and the pump that writes them, in order. Guarded by locking the
    /// instance, except <see cref="TryGetResume"/>, which posters call without it.
    /// </summary>
    /// <remarks>
    /// Issue 14: an idle subscribed connection costs only this object and its subscriptions, and a pump runs (on the thread
    /// pool, so posters only enqueue) only while pushes wait. A push to an idle connection waits in a field of its own: a
    /// queue is made only when pushes come faster than the connection takes them, and goes once it is emptied (a queue
    /// made per push was 10 MiB/s of garbage in the bench's fan-out to 1,000 subscribers).
    /// </remarks>
    private sealed class Outbox(HubConnectionContext connection, PushDispatcher owner) : IThreadPoolWorkItem
    {
        // The oldest pending push, then (only when more wait) the rest in order.
        private Pending? _next;
        private Queue<Pending>? _pending;
        private bool _pumping;
        private bool _closed;
        private long _messages;
        private long _bytes;
        private int _overflowed;

        // Replaced whole under the lock, read without it (copy on write: resumes are rare, pushes are not).
        private volatile Dictionary<QueueRef, Resume>? _resumes;

        public HubConnectionContext Connection => connection;

        /// <summary>The queues this connection is subscribed to, and who holds each subscription.</summary>
        public Dictionary<QueueRef, HashSet<string>> Keys { get; } = [];

        /// <summary>False once the connection is gone: nothing may be held on it any more.</summary>
        public bool Open => !_closed;

        /// <summary>The subscription of <paramref name="queue"/> that resumed after a position (issue 13), if any.</summary>
        public bool TryGetResume(QueueRef queue, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Resume? resume)
        {
            resume = null;
            return _resumes is { } resumes && resumes.TryGetValue(queue, out resume);
        }

        public void SetResume(QueueRef queue, Resume resume)
        {
            lock (this)
            {
                _resumes = new Dictionary<QueueRef, Resume>(_resumes ?? []) { [queue] = resume };
            }
        }

        /// <summary>Forgets the resume of <paramref name="queue"/> (only <paramref name="only"/>, when given).</summary>
        public void RemoveResume(QueueRef queue, Resume? only = null)
        {
            lock (this)
            {
                if (_resumes is { } resumes && resumes.TryGetValue(queue, out var resume) && (only is null || resume == only))
                {
                    var rest = new Dictionary<QueueRef, Resume>(resumes);
                    rest.Remove(queue);
                    _resumes = rest.Count == 0 ? null : rest;
                }
            }
        }

        public void Enqueue(SerializedHubMessage push, int count, long bytes)
        {
            if (Reserve(count, bytes))
            {
                EnqueueReserved(push, count, bytes);
            }
        }

        /// <summary>Counts messages against the push buffer's bounds; false (and the connection closing) past them.</summary>
        public bool Reserve(int count, long bytes)
        {
            var options = owner._options.Value;
            if (Interlocked.Add(ref _messages, count) > options.PushBufferMessages ||
                Interlocked.Add(ref _bytes, bytes) > options.PushBufferBytes)
            {
                Overflow(options);
                return false;
            }
            return true;
        }

        /// <summary>Gives back what <see cref="Reserve"/> counted for messages that will not be sent.</summary>
        public void Unreserve(int count, long bytes)
        {
            Interlocked.Add(ref _messages, -count);
            Interlocked.Add(ref _bytes, -bytes);
        }

        public void EnqueueReserved(SerializedHubMessage push, int count, long bytes)
        {
            lock (this)
            {
                if (_closed)
                {
                    return;
                }
                var pending = new Pending(push, count, bytes, Stopwatch.GetTimestamp());
                if (_next is null)
                {
                    _next = pending;
                }
                else
                {
                    (_pending ??= new Queue<Pending>()).Enqueue(pending);
                }
                if (_pumping)
                {
                    return;
                }
                _pumping = true;
            }
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        /// <summary>The connection is gone: what waits is dropped, and nothing more is queued or held.</summary>
        public void Close()
        {
            lock (this)
            {
                _closed = true;
                _next = null;
                _pending = null;
            }
        }

        void IThreadPoolWorkItem.Execute() => _ = PumpAsync();

        private async Task PumpAsync()
        {
            while (true)
            {
                Pending next;
                lock (this)
                {
                    // Issue 10: after an overflow the pushes still waiting are dropped, so the Close message with the reason comes next.
                    if (_closed || Volatile.Read(ref _overflowed) == 1 || _next is not { } head)
                    {
                        _pumping = false;
                        _next = null;
                        _pending = null;
                        return;
                    }
                    next = head;
                    if (_pending is not null && _pending.TryDequeue(out var following))
                    {
                        _next = following;
                    }
                    else
                    {
                        // An emptied queue goes too: a connection that is pushed to now and then holds nothing in between.
                        _next = null;
                        _pending = null;
                    }
                }
                try
                {
                    await connection.WriteAsync(next.Push, connection.ConnectionAborted);
                }
                catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
                {
                    Close(); // The connection is gone; its outbox goes with it.
                    lock (this)
                    {
                        _pumping = false;
                    }
                    return;
                }
                Interlocked.Add(ref _messages, -next.Count);
                Interlocked.Add(ref _bytes, -next.Bytes);
                // Issue 15: one measurement per write (a batch of messages), not per message.
                ZaqarTelemetry.PushLag.Record(Stopwatch.GetElapsedTime(next.Enqueued).TotalSeconds);
            }
        }

        /// <summary>A push waiting to be written: its messages' count and bytes against the bounds, and when it was enqueued.</summary>
        private readonly record struct Pending(SerializedHubMessage Push, int Count, long Bytes, long Enqueued);

        private void Overflow(PushOptions options)
        {
            if (Interlocked.Exchange(ref _overflowed, 1) == 1)
            {
                return;
            }
            Close();
            var reason = $"Push buffer overflow: this connection fell more than {options.PushBufferMessages} messages " +
                $"or {options.PushBufferBytes} bytes behind the queues it subscribed to; it is closed so the server's memory stays bounded.";
            PushOverflow(owner._logger, connection.ConnectionId);
            ZaqarTelemetry.PushBufferOverflows.Add(1);
            _ = owner._connections.CloseAsync(connection.ConnectionId, reason);
        }
    }
}
