using Npgsql;
using NpgsqlTypes;
using Zaqar.Data.Pools;
using Zaqar.Data.Stores;

namespace Zaqar.Data.Cluster;

/// <summary>Where a node stands in one queue: read the messages after <see cref="AfterSeq"/>, up to <see cref="UpToSeq"/>.</summary>
/// <param name="QueueId">
/// The queue row the position belongs to, or 0 when unknown. When the queue was deleted and created again since
/// (another row id), positions restart, so the read starts from the beginning instead. Row ids are made unique across
/// databases (<see cref="ClusterStore"/> puts the database's <see cref="PoolTarget.Ordinal"/> in the high bits), so a
/// queue created again on another pool is another row even if its id there happens to be the same.
/// </param>
public readonly record struct QueueCursor(QueueRef Queue, long QueueId, long AfterSeq, long UpToSeq);

/// <summary>A message read back for relaying: its position, its stored form, and when it becomes visible.</summary>
public sealed record RelayedMessage(long Seq, StoredMessage Message, DateTime VisibleAt);

/// <summary>
/// What a read found for one cursor: the queue's row id and counter (at the read's snapshot, so every position up to
/// <see cref="LastSeq"/> had committed), and the live messages of the cursor's range, in queue order.
/// </summary>
public sealed record QueueNews(QueueCursor Cursor, long QueueId, long LastSeq, IReadOnlyList<RelayedMessage> Messages)
{
    /// <summary>The position the read started after: 0 when the queue turned out to be another incarnation.</summary>
    public long FromSeq => Cursor.QueueId == 0 || Cursor.QueueId == QueueId ? Cursor.AfterSeq : 0;
}

/// <summary>
/// The storage side of running several nodes on one database (issue #4): announcing posts with NOTIFY, the dedicated
/// LISTEN connection, and reading what other nodes posted by position. With pools (issue #6) each database is its own
/// channel: a post is announced on its queue's database, and nodes listen on every database.
/// </summary>
/// <remarks>
/// Singleton; thread-safe. NOTIFY and reads use a target's pooled connections; each <see cref="ListenAsync"/> opens a
/// connection of its own outside the pool, because a pooled connection is reset (UNLISTEN) when returned and may be
/// handed to anyone.
/// </remarks>
public sealed class ClusterStore : IAsyncDisposable
{
    // Several payloads go out in one statement, so one transaction (PostgreSQL takes its notify lock once per commit).
    // Committed without waiting for its WAL flush (issue 14, the cross-node push path): the announced posts committed
    // durably before they were announced, and an announcement lost to a crash costs only a wait for the next poll. A
    // notifying transaction holds PostgreSQL's cluster-wide notify lock through its commit, so a synchronous commit made
    // every node's announcements wait one WAL flush each, one after another, before any listener heard them.
    private const string NotifySql =
        """
        WITH no_flush_wait AS (SELECT set_config('synchronous_commit', 'off', true))
        SELECT pg_notify(@channel, p) FROM no_flush_wait, unnest(@payloads) AS p
        """;

    private const string PositionSql = "SELECT id, last_seq FROM queues WHERE project = @project AND kind = @kind AND name = @name";

    // One statement for any number of queues. Each cursor costs one probe of the unique (project, kind, name) index and
    // one range scan of the messages primary key (queue_id, seq), so a poll of idle queues reads no message rows at all.
    // last_seq comes from the same snapshot as the messages: every position up to it had committed (issue #2).
    private const string ReadSql =
        """
        SELECT c.ord, q.id, q.last_seq, m.seq, m.id, m.body::text, m.ttl, m.created_at, m.expires_at, m.visible_at, m.encrypted
        FROM unnest(@projects, @kinds, @names, @queue_ids, @afters, @uptos)
            WITH ORDINALITY AS c(project, kind, name, queue_id, after_seq, upto_seq, ord)
        JOIN queues q ON q.project = c.project AND q.kind = c.kind AND q.name = c.name
        LEFT JOIN LATERAL (
            SELECT m.seq, m.id, m.body, m.ttl, m.created_at, m.expires_at, m.visible_at, m.encrypted
            FROM messages m
            WHERE m.queue_id = q.id
              AND m.seq > CASE WHEN c.queue_id = 0 OR c.queue_id = q.id THEN c.after_seq ELSE 0 END
              AND m.seq <= c.upto_seq
              AND m.expires_at > @now
            ORDER BY m.seq
            LIMIT @limit) m ON true
        ORDER BY c.ord, m.seq
        """;

    // Local row ids stay far below 2^48; the target's ordinal goes above (0 for the primary database: ids unchanged).
    private const int OrdinalShift = 48;
    private const long LocalMask = (1L << OrdinalShift) - 1;

    private readonly QueueRouter _router;
    private readonly PoolTarget? _owned;

    public ClusterStore(QueueRouter router) => _router = router;

    /// <summary>A store over one database only (no pools), for tools and tests.</summary>
    public ClusterStore(NpgsqlDataSource dataSource, string connectionString)
    {
        _owned = new PoolTarget(dataSource, connectionString);
        _router = new SingleDatabaseRouter(_owned);
    }

    /// <summary>The database <paramref name="queue"/> lives in, whose channel announces its posts.</summary>
    public async ValueTask<PoolTarget> TargetAsync(QueueRef queue, CancellationToken ct) => (await _router.RouteAsync(queue, ct)).Target;

    /// <summary>Sends <paramref name="payloads"/> on <paramref name="channel"/> of <paramref name="target"/>, all in one transaction.</summary>
    public async Task NotifyAsync(PoolTarget target, string channel, IReadOnlyList<string> payloads, CancellationToken ct)
    {
        // Prepared: under load the publisher sends one per gathered batch, about one per post statement.
        await using var cmd = await Stores.PreparedCommand.OpenAsync(target.DataSource, NotifySql, ct);
        cmd.Parameters.Add(new NpgsqlParameter<string>("channel", channel));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("payloads", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = payloads.ToArray() });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The queue's row id and last position; (0, 0) when it does not exist (its first message will be 1).</summary>
    public async Task<(long QueueId, long LastSeq)> PositionAsync(QueueRef queue, CancellationToken ct)
    {
        var route = await _router.RouteAsync(queue, ct);
        await using var cmd = route.Target.DataSource.CreateCommand(PositionSql);
        QueueStore.AddQueue(cmd.Parameters, queue);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (Global(route.Target, reader.GetInt64(0)), reader.GetInt64(1)) : (0, 0);
    }

    /// <summary>
    /// The live messages of each cursor's range, at most <paramref name="limit"/> per queue, in one statement on
    /// <paramref name="target"/> (where the cursors' queues live). Queues that don't exist are left out; claimed and
    /// delayed messages are included (push shows every new message).
    /// </summary>
    public async Task<IReadOnlyList<QueueNews>> ReadAsync(
        PoolTarget target, IReadOnlyList<QueueCursor> cursors, DateTime now, int limit, CancellationToken ct)
    {
        if (cursors.Count == 0)
        {
            return [];
        }
        await using var cmd = target.DataSource.CreateCommand(ReadSql);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("projects", cursors.Select(c => c.Queue.Project).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<short[]>("kinds", cursors.Select(c => (short)c.Queue.Kind).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", cursors.Select(c => c.Queue.Name).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("queue_ids", cursors.Select(c => Local(target, c.QueueId)).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("afters", cursors.Select(c => c.AfterSeq).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("uptos", cursors.Select(c => c.UpToSeq).ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));

        var news = new List<QueueNews>();
        List<RelayedMessage>? messages = null;
        var current = -1;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // Rows come ordered by cursor: a new ordinal starts the next queue's news.
            var index = (int)reader.GetInt64(0) - 1;
            if (index != current)
            {
                current = index;
                messages = [];
                news.Add(new QueueNews(cursors[index], Global(target, reader.GetInt64(1)), reader.GetInt64(2), messages));
            }
            if (!reader.IsDBNull(3))
            {
                messages!.Add(new RelayedMessage(
                    reader.GetInt64(3),
                    new StoredMessage(
                        Id: reader.GetGuid(4),
                        Body: reader.GetString(5),
                        Ttl: reader.GetInt32(6),
                        CreatedAt: reader.GetDateTime(7),
                        ExpiresAt: reader.GetDateTime(8),
                        ClaimId: null,
                        ClaimCount: 0,
                        Encrypted: reader.GetBoolean(10)),
                    reader.GetDateTime(9)));
            }
        }
        return news;
    }

    /// <summary>
    /// Opens a connection of its own to <paramref name="target"/> and starts listening on <paramref name="channel"/>; every
    /// notification's payload goes to <paramref name="received"/> (on the thread that waits, so it must only hand it off).
    /// </summary>
    public async Task<ChannelListener> ListenAsync(PoolTarget target, string channel, Action<string> received, CancellationToken ct)
    {
        var conn = await target.ListenSource.OpenConnectionAsync(ct);
        try
        {
            conn.Notification += (_, e) => received(e.Payload);
            // An identifier can't be a parameter; the channel name is validated at start and quoted here.
            await using var cmd = new NpgsqlCommand($"LISTEN \"{channel.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", conn);
            await cmd.ExecuteNonQueryAsync(ct);
            return new ChannelListener(conn);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Drops the pool's idle connections (busy ones close when returned). After the database restarted, every idle
    /// connection is dead, and each would fail one request before the pool notices.
    /// </summary>
    public void ClearPool(PoolTarget target) => target.DataSource.Clear();

    public ValueTask DisposeAsync() => _owned?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static long Global(PoolTarget target, long id) => (target.Ordinal << OrdinalShift) | id;

    /// <summary>The row id in <paramref name="target"/>'s database; -1 (no row) for an id of another database, 0 for unknown.</summary>
    private static long Local(PoolTarget target, long id) =>
        id == 0 ? 0 : (id >> OrdinalShift) == target.Ordinal ? id & LocalMask : -1;
}
