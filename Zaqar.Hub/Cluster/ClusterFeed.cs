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
/// Brings other nodes' posts to this node's parties (issue #4): wakes consume streams of an announced queue at once,
/// and for queues with push subscribers reads the new messages by position and hands them to every
/// <see cref="IRelayTarget"/> (the hub's push dispatcher, ...), which it knows by that interface only.
/// Polls every <see cref="ClusterOptions.PollIntervalMilliseconds"/> for what no announcement told, and at once after
/// the listener (re)connects.
/// </summary>
/// <remarks>
/// One loop does every read, so reads of a queue never race each other; each round trip covers all queues due. The
/// <see cref="PushLedger"/> leaves out what this node pushed already. The loop runs on a thread of its own and reads with
/// Npgsql's synchronous API (issue 14 item 4): woken by the listener's thread directly, it reads and hands the messages
/// to the subscribers' outboxes without waiting in the thread pool's queue, which under a fan-out's load is thousands
/// of work items long. Singleton; <see cref="Announce"/> and <see cref="CatchUp"/> are thread-safe and only hand off.
/// </remarks>
public sealed class ClusterFeed : BackgroundService
{
    // Reads repeated at once when a queue had more than a batch; past this the rest waits for the next round.
    private const int MaxRoundTripsPerRound = 16;

    private readonly Channel<Announcement> _announced =
        Channel.CreateBounded<Announcement>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly ClusterStore _store;
    private readonly PushLedger _ledger;
    private readonly IRelayTarget[] _targets;
    private readonly QueueActivity _activity;
    /// <summary>How late an unannounced message must be found before polling counts as having caught a lost notification.</summary>
    private const long LostNotificationLagMs = 1000;

    private readonly MessageCrypto _crypto;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterFeed> _logger;
    private int _catchUp;
    private readonly WakeSignal _wake = new();

    public ClusterFeed(
        ClusterStore store, PushLedger ledger, IEnumerable<IRelayTarget> targets, QueueActivity activity, MessageCrypto crypto,
        IOptions<ClusterOptions> options, TimeProvider time, ILogger<ClusterFeed> logger)
    {
        _store = store;
        _ledger = ledger;
        _targets = targets.ToArray();
        _activity = activity;
        _crypto = crypto;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Another node committed these posts. Called on the listener's thread: hands off only.</summary>
    public void Announce(IReadOnlyList<Announcement> announcements)
    {
        foreach (var a in announcements)
        {
            _activity.Signal(a.Queue);
            if (_ledger.IsWatched(a.Queue) && !_announced.Writer.TryWrite(a))
            {
                Interlocked.Exchange(ref _catchUp, 1); // Too many to remember one by one: poll everything instead.
            }
        }
        _wake.Set();
    }

    /// <summary>Notifications may have been missed (listener reconnected): poll now, and let waiting consumers look again.</summary>
    public void CatchUp()
    {
        Interlocked.Exchange(ref _catchUp, 1);
        _activity.SignalAll();
        _wake.Set();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => !_options.Enabled
        ? Task.CompletedTask
        : Task.Factory.StartNew(() => Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>The loop, on its own thread (LongRunning): it blocks, and awaits only what completes at once but on rare paths.</summary>
    private void Run(CancellationToken stoppingToken)
    {
        Thread.CurrentThread.Name = "zaqar-cluster-feed";
        var interval = TimeSpan.FromMilliseconds(_options.PollIntervalMilliseconds);
        var nextPoll = _time.GetUtcNow() + interval;
        var failures = 0;
        // On this node's clock (a test's manual one too): sets the signal when the next poll is due.
        using var pollDue = _time.CreateTimer(_ => _wake.Set(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = nextPoll - _time.GetUtcNow();
            if (wait > TimeSpan.Zero && !_announced.Reader.TryPeek(out _) && Volatile.Read(ref _catchUp) == 0)
            {
                pollDue.Change(wait, Timeout.InfiniteTimeSpan);
                try
                {
                    _wake.Take(stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            else
            {
                _wake.Clear();
            }
            var announced = new Dictionary<QueueRef, (long First, long Last)>();
            var carried = new Dictionary<QueueRef, Dictionary<long, PostedMessage>>();
            List<Announcement>? traced = null;
            while (_announced.Reader.TryRead(out var a))
            {
                if (a.Queue.Name is not null)
                {
                    announced[a.Queue] = announced.TryGetValue(a.Queue, out var r) ? (Math.Min(r.First, a.FirstSeq), Math.Max(r.Last, a.LastSeq)) : (a.FirstSeq, a.LastSeq);
                    if (a.Messages is { } messages)
                    {
                        var bySeq = carried.TryGetValue(a.Queue, out var known) ? known : carried[a.Queue] = [];
                        foreach (var m in messages)
                        {
                            bySeq[m.Seq] = m;
                        }
                    }
                    if (a.Trace != default)
                    {
                        (traced ??= []).Add(a);
                    }
                }
            }
            // Issue 15: the read-back and push of traced posts is a span linked to each post's trace.
            using var span = traced is null ? null : ClusterTracing.Start("cluster.relay", ActivityKind.Consumer, traced);
            var poll = Interlocked.Exchange(ref _catchUp, 0) == 1 || _time.GetUtcNow() >= nextPoll;
            if (poll)
            {
                nextPoll = _time.GetUtcNow() + interval;
            }
            bool failed;
            try
            {
                // Completes at once unless a rare path awaited (a watch starting, several databases): then this thread waits.
                failed = RelayAsync(announced, carried, poll, stoppingToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: on this thread (not an async method) it would fault the loop's task.
                break;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Any failure is caught: this loop ending would end cross-node push for good.
                ClusterLog.RelayFailed(_logger, PoolTarget.PrimaryLabel, ex);
                failed = true;
            }
            if (failed)
            {
                // Poll again soon rather than after a whole interval: the read that failed may have been the catch-up
                // after a reconnect, or the announced posts' only read. Backs off while the database stays away.
                var retry = TimeSpan.FromMilliseconds(Math.Min(
                    (double)_options.ReconnectMinDelayMilliseconds * (1L << Math.Min(failures++, 16)), _options.PollIntervalMilliseconds));
                nextPoll = _time.GetUtcNow() + retry;
            }
            else
            {
                failures = 0;
            }
        }
    }

    /// <summary>
    /// Reads and pushes what the announcements name (and, when polling, what every watched queue has new), one statement
    /// per database per round trip; a queue whose announced messages came along, all of them from its watermark on, is
    /// pushed without a read. True when a database could not be read: its queues wait for the next (early) poll, the
    /// others' news is pushed regardless.
    /// </summary>
    private async Task<bool> RelayAsync(
        Dictionary<QueueRef, (long First, long Last)> announced, Dictionary<QueueRef, Dictionary<long, PostedMessage>> carried, bool poll,
        CancellationToken ct)
    {
        var failed = false;
        var cursors = new List<QueueCursor>();
        if (poll)
        {
            var unstarted = new List<QueueRef>();
            cursors = _ledger.Cursors(unstarted);
            foreach (var queue in unstarted)
            {
                try
                {
                    await _ledger.StartAsync(queue, ct);
                }
                catch (Exception ex) when (StorageGuard.IsStorageFailure(ex))
                {
                    ClusterLog.WatchStartFailed(_logger, queue.Name, ex);
                }
            }
        }
        var polled = cursors.Select(c => c.Queue).ToHashSet();
        var carriedNews = new List<QueueNews>();
        foreach (var (queue, range) in announced)
        {
            if (polled.Contains(queue))
            {
                continue;
            }
            // Normally from this node's watermark; before the queue's start is known, exactly the announced range.
            var cursor = _ledger.Cursor(queue, range.Last);
            if (cursor is { } c && carried.TryGetValue(queue, out var messages) && Carried(c, messages) is { } news)
            {
                carriedNews.Add(news);
            }
            else if (cursor is not null || _ledger.IsWatched(queue))
            {
                cursors.Add(cursor ?? new QueueCursor(queue, 0, range.First - 1, range.Last));
            }
        }

        // What came along is every position up to the announced last: complete whatever its count, no read needed.
        var carriedAt = _time.GetUtcNow().UtcDateTime;
        foreach (var n in carriedNews)
        {
            lock (_ledger.PushGate(n.Cursor.Queue) ?? n)
            {
                Push(n, _ledger.AdmitRead(n, complete: true), unannounced: false, carriedAt);
            }
        }

        for (var trip = 0; trip < MaxRoundTripsPerRound && cursors.Count > 0; trip++)
        {
            var now = _time.GetUtcNow().UtcDateTime;
            var (news, tripFailed) = await ReadAsync(cursors, now, ct);
            failed |= tripFailed;
            cursors = [];
            foreach (var n in news)
            {
                var complete = n.Messages.Count < _options.ReadBatchSize;
                // Unwatched (no gate), the read admits nothing.
                lock (_ledger.PushGate(n.Cursor.Queue) ?? n)
                {
                    Push(n, _ledger.AdmitRead(n, complete), unannounced: poll && !announced.ContainsKey(n.Cursor.Queue), now);
                }
                if (!complete && _ledger.IsWatched(n.Cursor.Queue))
                {
                    // The rest of the range, from the watermark, or (start not known yet) after the last message read.
                    cursors.Add(_ledger.Cursor(n.Cursor.Queue, n.Cursor.UpToSeq) ?? n.Cursor with { AfterSeq = n.Messages[^1].Seq });
                }
            }
        }
        return failed;
    }

    /// <summary>
    /// The news of <paramref name="cursor"/> made of the messages that came with announcements, as a read at a snapshot
    /// after their commits would have found them; null unless they are every position after the watermark up to the
    /// announced last. A known queue only: a range that does not start right after the watermark (another node's post in
    /// between whose announcement is still on its way or lost, or the queue deleted and created again) is read, and
    /// the read sorts it out. A message deleted since its post is pushed all the same, as a local post pushes it.
    /// </summary>
    private static QueueNews? Carried(QueueCursor cursor, Dictionary<long, PostedMessage> messages)
    {
        if (cursor.QueueId == 0 || cursor.UpToSeq <= cursor.AfterSeq || cursor.UpToSeq - cursor.AfterSeq > messages.Count)
        {
            return null;
        }
        var relayed = new List<RelayedMessage>((int)(cursor.UpToSeq - cursor.AfterSeq));
        for (var seq = cursor.AfterSeq + 1; seq <= cursor.UpToSeq; seq++)
        {
            if (!messages.TryGetValue(seq, out var m))
            {
                return null;
            }
            var stored = new StoredMessage(m.Id, m.Body, m.Ttl, m.CreatedAt, m.CreatedAt.AddSeconds(m.Ttl), ClaimId: null, ClaimCount: 0, m.Encrypted);
            relayed.Add(new RelayedMessage(seq, stored, VisibleAt: m.CreatedAt.AddSeconds(m.Delay)));
        }
        return new QueueNews(cursor, cursor.QueueId, cursor.UpToSeq, relayed);
    }

    /// <summary>Reads the cursors' news from each database their queues live in, in parallel; a failing database is logged and skipped.</summary>
    private async Task<(List<QueueNews> News, bool Failed)> ReadAsync(List<QueueCursor> cursors, DateTime now, CancellationToken ct)
    {
        var groups = new Dictionary<PoolTarget, List<QueueCursor>>();
        foreach (var cursor in cursors)
        {
            var target = _store.Target(cursor.Queue, ct);
            (groups.TryGetValue(target, out var list) ? list : groups[target] = []).Add(cursor);
        }
        // One database (the usual case): read on this thread. Several: in parallel, a database that is down must not hold up the others.
        var reads = groups.Select(async g =>
        {
            try
            {
                var news = groups.Count == 1
                    ? _store.Read(g.Key, g.Value, now, _options.ReadBatchSize)
                    : await _store.ReadAsync(g.Key, g.Value, now, _options.ReadBatchSize, ct);
                return (g.Key, News: news, Error: (Exception?)null);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                return (g.Key, News: (IReadOnlyList<QueueNews>)[], Error: ex);
            }
        });
        var news = new List<QueueNews>();
        var failed = false;
        foreach (var (target, found, error) in await Task.WhenAll(reads))
        {
            if (error is not null)
            {
                ClusterLog.RelayFailed(_logger, target.Label, error);
                failed = true;
            }
            news.AddRange(found);
        }
        return (news, failed);
    }

    /// <summary>
    /// The seconds <paramref name="m"/> still waits before it may be pushed: only a message posted with a delay waits.
    /// </summary>
    /// <remarks>
    /// Its creation time is the posting node's clock, taken before its commit, and <paramref name="now"/> is this node's,
    /// taken before the read. A message posted without a delay was counted as delayed whenever its creation time was
    /// later than <paramref name="now"/>: a post that began after this read's clock reading but committed before its
    /// snapshot, or any post from a node whose clock is ahead. It then waited a whole second (or the clocks' difference)
    /// and arrived after the messages posted after it.
    /// </remarks>
    private static int StillDelayed(RelayedMessage m, DateTime now) =>
        m.VisibleAt > m.Message.CreatedAt && m.VisibleAt > now ? (int)Math.Ceiling((m.VisibleAt - now).TotalSeconds) : 0;

    private void Push(QueueNews news, List<RelayedMessage> messages, bool unannounced, DateTime now)
    {
        if (messages.Count == 0)
        {
            return;
        }
        var views = messages.ConvertAll(m => PushedMessageView.Of(
            m.Message.Id,
            _crypto.BodyText(m.Message),
            m.Message.Ttl,
            MessageService.Age(m.Message.CreatedAt, now),
            delay: StillDelayed(m, now)));
        foreach (var target in _targets)
        {
            target.Relay(news.Cursor.Queue, views);
        }
        var lagMs = (long)(now - messages.Min(m => m.Message.CreatedAt)).TotalMilliseconds;
        // A poll often beats a notification that is still on its way; only a lag beyond that race means one was lost.
        if (unannounced && lagMs >= LostNotificationLagMs)
        {
            ClusterLog.CaughtUp(_logger, messages.Count, news.Cursor.Queue.Name, lagMs);
        }
        else
        {
            ClusterLog.Relayed(_logger, messages.Count, news.Cursor.Queue.Name, lagMs);
        }
    }
}
