using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Cluster;
using Zaqar.Data.Pools;
using Zaqar.Data.Stores;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Cluster;

/// <summary>
/// Tells the other nodes about this node's posts: after commit, each post's queue and position range is handed to a
/// bounded buffer, and one loop sends whatever has gathered as one NOTIFY transaction (issue #4).
/// </summary>
/// <remarks>
/// The NOTIFY is deliberately not part of the post's transaction: PostgreSQL serializes the commits of notifying
/// transactions on one lock, and a post's commit waits for its WAL flush, so every post of the cluster would commit
/// one after another. Here posters only enqueue (never wait, never fail); while one NOTIFY is under way the next posts
/// gather, so under load one NOTIFY announces many posts. An announcement that is dropped (buffer full, database down,
/// crash after commit) only delays the other nodes until their next poll. With pools (issue #6) each database is its
/// own channel: a queue's posts are announced on the database it lives in, where the other nodes listen. The loop runs
/// on a thread of its own and sends with Npgsql's synchronous API (issue 14 item 4): under a fan-out's load the thread
/// pool's queue is thousands of work items long, and waking the loop and completing its NOTIFY through it made the
/// other nodes hear of a post tens of milliseconds late. Singleton; thread-safe.
/// </remarks>
public sealed class ClusterPublisher : BackgroundService, IMessageObserver
{
    // Bounds one NOTIFY transaction's size; more waiting announcements go in the next one.
    private const int MaxPostsPerNotify = 5000;

    // Messages of one queue carried in one round at most (ClusterOptions.InlineMessages); the payload's budget decides
    // below that. Bounds the copying of merged lists under load, when they would not fit anyway.
    private const int MaxMessagesPerQueue = 64;

    private readonly Channel<Announcement> _pending;
    private readonly WakeSignal _wake = new();
    private readonly ClusterStore _store;
    private readonly ClusterNode _node;
    private readonly ClusterOptions _options;
    private readonly ILogger<ClusterPublisher> _logger;
    private long _dropped;

    public ClusterPublisher(ClusterStore store, ClusterNode node, IOptions<ClusterOptions> options, ILogger<ClusterPublisher> logger)
    {
        _store = store;
        _node = node;
        _options = options.Value;
        _logger = logger;
        _pending = Channel.CreateBounded<Announcement>(
            new BoundedChannelOptions(_options.PublishBufferPosts) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true },
            _ => Interlocked.Increment(ref _dropped));
    }

    private bool Publishing => _options.Enabled && _options.Publish;

    public void Posted(PostedMessages posted)
    {
        if (!Publishing || posted.Messages.Count == 0)
        {
            return;
        }
        // A post's positions are contiguous and its messages come in position order. A traced post's context goes along
        // (issue 15): a struct copy, nothing when the post is not traced.
        var trace = Activity.Current is { Recorded: true } current ? current.Context : default;
        _pending.Writer.TryWrite(new Announcement(posted.Queue, posted.Messages[0].Seq, posted.Messages[^1].Seq, trace)
        {
            // A reference to what the post holds anyway; whether it goes out is decided when the payload is made.
            Messages = _options.InlineMessages && posted.Messages.Count <= MaxMessagesPerQueue ? posted.Messages : null,
        });
        _wake.Set();
    }

    /// <summary>The announcements grouped by the database their queue lives in (cached routes: these queues were just posted to).</summary>
    private Dictionary<PoolTarget, List<Announcement>> ByDatabase(IEnumerable<Announcement> announcements, CancellationToken ct)
    {
        var groups = new Dictionary<PoolTarget, List<Announcement>>();
        foreach (var a in announcements)
        {
            try
            {
                var target = _store.Target(a.Queue, ct);
                (groups.TryGetValue(target, out var list) ? list : groups[target] = []).Add(a);
            }
            catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
            {
                ClusterLog.PublishFailed(_logger, 1, PoolTarget.PrimaryLabel, ex);
            }
        }
        return groups;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => !Publishing
        ? Task.CompletedTask
        : Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>The loop, on its own thread (LongRunning): it blocks, and waits out the rare paths that await (a route not cached, several databases).</summary>
    private void Run(CancellationToken stoppingToken)
    {
        Thread.CurrentThread.Name = "zaqar-cluster-publisher";
        var batch = new Dictionary<QueueRef, Announcement>();
        var interval = TimeSpan.FromMilliseconds(_options.PublishIntervalMilliseconds);
        var lastSend = 0L;
        try
        {
            while (true)
            {
                _wake.Take(stoppingToken);
                while (_pending.Reader.TryPeek(out _))
                {
                    // Paced (issue 14): a NOTIFY back to back with the last one waits out the rest of the interval,
                    // and the posts that come meanwhile go in it.
                    var wait = interval - Stopwatch.GetElapsedTime(lastSend);
                    if (lastSend != 0 && wait > TimeSpan.Zero && stoppingToken.WaitHandle.WaitOne(wait))
                    {
                        return; // Stopping.
                    }
                    Gather(batch);
                    Send(batch, stoppingToken);
                    lastSend = Stopwatch.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Takes the waiting announcements (at most one NOTIFY's worth), one range per queue.</summary>
    private void Gather(Dictionary<QueueRef, Announcement> batch)
    {
        batch.Clear();
        var posts = 0;
        while (posts < MaxPostsPerNotify && _pending.Reader.TryRead(out var a))
        {
            posts++;
            // One range per queue: a receiver reads everything after its own position up to the last one anyway.
            batch[a.Queue] = batch.TryGetValue(a.Queue, out var seen) ? Merge(seen, a) : a;
        }
    }

    /// <summary>
    /// One range covering both; with both's messages only while they are every position of it (another node's posts
    /// may lie between this node's two) and few: under load the receivers read the range back instead.
    /// </summary>
    private static Announcement Merge(Announcement seen, Announcement a)
    {
        // Posts are told in about commit order, not exactly: a later position may come first.
        var (low, high) = seen.FirstSeq <= a.FirstSeq ? (seen, a) : (a, seen);
        var messages = low.Messages is { } before && high.Messages is { } after && low.LastSeq + 1 == high.FirstSeq &&
            before.Count + after.Count <= MaxMessagesPerQueue ? [.. before, .. after] : (IReadOnlyList<PostedMessage>?)null;
        return new Announcement(a.Queue, low.FirstSeq, Math.Max(low.LastSeq, high.LastSeq), seen.Trace == default ? a.Trace : seen.Trace)
        {
            Messages = messages,
        };
    }

    private void Send(Dictionary<QueueRef, Announcement> batch, CancellationToken stoppingToken)
    {
        using var span = ClusterTracing.Start("cluster.announce", ActivityKind.Producer, batch.Values);
        var groups = ByDatabase(batch.Values, stoppingToken);
        if (groups.Count == 1)
        {
            // The usual case, one database: the round trip blocks this thread only.
            var (target, announcements) = groups.First();
            AnnounceAsync(target, announcements, () =>
            {
                _store.Notify(target, _options.Channel, Payloads(announcements));
                return Task.CompletedTask;
            }, stoppingToken).GetAwaiter().GetResult();
        }
        else
        {
            // In parallel: a pool that is down (waiting out its connect timeout) must not hold up the others' announcements.
            Task.WhenAll(groups.Select(g => AnnounceAsync(g.Key, g.Value, () =>
                _store.NotifyAsync(g.Key, _options.Channel, Payloads(g.Value), stoppingToken), stoppingToken))).GetAwaiter().GetResult();
        }
        var dropped = Interlocked.Exchange(ref _dropped, 0);
        if (dropped > 0)
        {
            ClusterLog.PublishDropped(_logger, dropped);
        }
    }

    private List<string> Payloads(List<Announcement> announcements) => Announcements.Encode(_node.Id, announcements, _options.MaxPayloadBytes);

    /// <summary>Sends one database's announcements through <paramref name="send"/>; a failure is logged, never thrown.</summary>
    private async Task AnnounceAsync(PoolTarget target, List<Announcement> announcements, Func<Task> send, CancellationToken stoppingToken)
    {
        try
        {
            await send();
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Any failure is caught (database down, a payload PostgreSQL refused): this loop must outlive it.
            ClusterLog.PublishFailed(_logger, announcements.Count, target.Label, ex);
        }
    }
}
