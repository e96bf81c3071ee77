using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Zaqar.Data.Pools;

namespace Zaqar.Data.Stores;

/// <summary>
/// Queues of a project: create, read, list, update metadata, delete, stats, purge. Each call runs on the queue's
/// database, as <see cref="QueueRouter"/> says (issue #6).
/// </summary>
/// <remarks>
/// Metadata reads and writes and the listings are EF Core on the target's contexts (issue 12 item 11; the reads every
/// uncached settings lookup and metadata GET makes are compiled queries). Creation is SQL through the same context: an
/// insert-if-absent is a statement EF can't say. Delete, purge and stats stay hand-written Npgsql commands on the same
/// data source: one statement each (the delete that reports surviving subscriptions, the two-table purge, the stats CTE)
/// where EF would need several round trips. Singleton; thread-safe (a context or pooled connection per call).
/// </remarks>
public sealed class QueueStore(QueueRouter router)
{
    private const string QueueIdSql = "(SELECT id FROM queues WHERE project = @project AND kind = @kind AND name = @name)";

    private static readonly Func<ZaqarDbContext, string, QueueKind, string, CancellationToken, Task<string?>> Metadata =
        EF.CompileAsyncQuery((ZaqarDbContext db, string project, QueueKind kind, string name, CancellationToken ct) =>
            db.Queues.Where(q => q.Project == project && q.Kind == kind && q.Name == name).Select(q => q.Metadata).FirstOrDefault());

    private static readonly Func<ZaqarDbContext, string, QueueKind, string, CancellationToken, Task<QueueSettings?>> Settings =
        EF.CompileAsyncQuery((ZaqarDbContext db, string project, QueueKind kind, string name, CancellationToken ct) =>
            db.Queues.Where(q => q.Project == project && q.Kind == kind && q.Name == name)
                .Select(q => new QueueSettings(
                    q.DefaultMessageTtl, q.MaxMessagesPostSize, q.DefaultMessageDelay, q.EncryptMessages,
                    new DeadLetterRule(q.MaxClaimCount, q.DeadLetterQueue, q.DeadLetterQueueMessagesTtl), q.RetryPolicy, q.MetadataVersion))
                .FirstOrDefault());

    public async Task<string?> GetMetadataAsync(QueueRef queue, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var db = await route.Target.Contexts.CreateDbContextAsync(ct);
        return await Metadata(db, queue.Project, queue.Kind, queue.Name, ct);
    }

    /// <summary>
    /// The queue's settings (its reserved metadata's typed columns) and metadata version; <see cref="QueueSettings.None"/>
    /// when the queue does not exist, which posts treat like a queue without metadata (it is created lazily with none).
    /// </summary>
    public async Task<QueueSettings> GetSettingsAsync(QueueRef queue, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var db = await route.Target.Contexts.CreateDbContextAsync(ct);
        return await Settings(db, queue.Project, queue.Kind, queue.Name, ct) ?? QueueSettings.None;
    }

    /// <summary>
    /// Creates the queue with the given metadata; false (and nothing changed) when it exists. A new queue is placed on a
    /// pool by <paramref name="placement"/> (its flavor), after reading the catalogue: creation never trusts a cached route.
    /// </summary>
    public async Task<bool> CreateAsync(
        QueueRef queue, string metadata, QueueSettings settings, DateTime now, Placement placement, CancellationToken ct)
    {
        var route = await router.PlaceAsync(queue, placement, trustCache: false, ct);
        await using var db = await route.Target.Contexts.CreateDbContextAsync(ct);
        // INSERT ... ON CONFLICT DO NOTHING: an insert-if-absent is one statement EF can't say (an exists-check first races).
        var created = await db.Database.SqlQueryRaw<long>(
            $"""
            INSERT INTO queues (project, kind, name, metadata, {SettingsColumns}, metadata_version, last_seq, created_at)
            VALUES (@project, @kind, @name, @metadata, {SettingsParameters}, nextval('{ZaqarDbContext.MetadataVersionSequence}'), 0, @now)
            ON CONFLICT (project, kind, name) DO NOTHING
            RETURNING id AS "Value"
            """,
            [.. QueueParameters(queue), .. MetadataParameters(metadata, settings), new NpgsqlParameter<DateTime>("now", now)]).ToListAsync(ct);
        return created.Count > 0;
    }

    /// <summary>
    /// One page of a project's queues in name order, after <paramref name="marker"/>, across every database.
    /// <paramref name="nameContains"/> and <paramref name="metadataFilter"/> (a JSON object the metadata must contain) are
    /// optional. Without <paramref name="withMetadata"/> a pooled listing reads only the catalogue (metadata <c>{}</c>).
    /// </summary>
    public Task<IReadOnlyList<StoredQueue>> ListAsync(
        string project, QueueKind kind, string? marker, int limit, string? nameContains, string? metadataFilter, bool withMetadata,
        CancellationToken ct) =>
        router.ListAsync(project, kind, marker, limit, nameContains, metadataFilter, withMetadata, ct);

    public Task<long> CountAsync(string project, QueueKind kind, string? nameContains, string? metadataFilter, CancellationToken ct) =>
        router.CountAsync(project, kind, nameContains, metadataFilter, ct);

    /// <summary>
    /// Read-modify-write of a queue's metadata under a row lock. <paramref name="change"/> gets the current
    /// metadata and returns the new one with its settings (written in the same statement); if it throws, nothing is
    /// written. Null when the queue does not exist.
    /// </summary>
    public async Task<string?> UpdateMetadataAsync(
        QueueRef queue, Func<string, (string Metadata, QueueSettings Settings)> change, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var db = await route.Target.Contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // FOR UPDATE: LINQ has no row locks.
        var locked = await db.Queues.FromSql(
                $"SELECT * FROM queues WHERE project = {queue.Project} AND kind = {(short)queue.Kind} AND name = {queue.Name} FOR UPDATE")
            .AsNoTracking().ToListAsync(ct);
        if (locked is not [var current])
        {
            return null;
        }
        var (updated, settings) = change(current.Metadata);
        await db.Queues.Where(q => q.Id == current.Id).ExecuteUpdateAsync(s => s
            .SetProperty(q => q.Metadata, updated)
            .SetProperty(q => q.DefaultMessageTtl, settings.DefaultMessageTtl)
            .SetProperty(q => q.MaxMessagesPostSize, settings.MaxMessagesPostSize)
            .SetProperty(q => q.DefaultMessageDelay, settings.DefaultMessageDelay)
            .SetProperty(q => q.EncryptMessages, settings.EncryptMessages)
            .SetProperty(q => q.MaxClaimCount, settings.DeadLetter.MaxClaimCount)
            .SetProperty(q => q.DeadLetterQueue, settings.DeadLetter.Queue)
            .SetProperty(q => q.DeadLetterQueueMessagesTtl, settings.DeadLetter.MessagesTtl)
            .SetProperty(q => q.RetryPolicy, settings.RetryPolicy)
            .SetProperty(q => q.MetadataVersion, q => ZaqarDbContext.NextValue(ZaqarDbContext.MetadataVersionSequence)), ct);
        await tx.CommitAsync(ct);
        return updated;
    }

    /// <summary>
    /// Deletes the queue with its messages and claims (cascade); its subscriptions stay, as in Zaqar. Deleting a missing
    /// queue is not an error. With pools the catalogue unlists the queue first and forgets it after (or keeps its name
    /// on its pool while subscriptions remain), as Zaqar deregisters before deleting: a route that goes stale meanwhile
    /// then finds no row to write into, rather than an orphan nobody routes to.
    /// </summary>
    public async Task DeleteAsync(QueueRef queue, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await router.DeletingAsync(queue, ct);
        await using var cmd = route.Target.DataSource.CreateCommand(
            """
            WITH d AS (DELETE FROM queues WHERE project = @project AND kind = @kind AND name = @name RETURNING 1)
            SELECT EXISTS (SELECT 1 FROM subscriptions s WHERE s.project = @project AND s.kind = @kind AND s.queue_name = @name)
            """);
        AddQueue(cmd.Parameters, queue);
        var subscriptionsRemain = (bool)(await cmd.ExecuteScalarAsync(ct))!;
        await router.DeletedAsync(queue, keepPinned: subscriptionsRemain, ct);
    }

    /// <summary>Deletes every message and claim of the queue, keeping the queue and its metadata.</summary>
    public async Task PurgeMessagesAsync(QueueRef queue, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        var batch = route.Target.DataSource.CreateBatch();
        await using (batch)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"DELETE FROM messages WHERE queue_id = {QueueIdSql}"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"DELETE FROM claims WHERE queue_id = {QueueIdSql}"));
            foreach (NpgsqlBatchCommand command in batch.BatchCommands)
            {
                QueueStore.AddQueue(command.Parameters, queue);
            }
            await batch.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Counts of live messages (not expired) and the oldest and newest of them.</summary>
    /// <remarks>
    /// Issue 14 item 6: two statements on one connection. The queue's row id is looked up first and passed as a value, so
    /// the count is planned for this queue (PostgreSQL's statistics say how many rows it has): an index range for a small
    /// queue even beside a queue of a million messages. Looked up inside the statement, the id was unknown at planning,
    /// and the plan was a scan of every queue's messages (190 ms beside a million). The counts read only the columns they
    /// need; the oldest and newest are found by walking the primary key (queue_id, seq) from either end, so bodies are
    /// read for two messages only.
    /// </remarks>
    public async Task<QueueCounts> CountMessagesAsync(QueueRef queue, DateTime now, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var connection = await route.Target.DataSource.OpenConnectionAsync(ct);
        if (await QueueIdAsync(connection, queue, ct) is not { } queueId)
        {
            return new QueueCounts(0, 0, 0, null, null);
        }
        await using var cmd = new NpgsqlCommand(
            $"""
            SELECT count(*) FILTER (WHERE claim_expires_at > @now),
                   count(*) FILTER (WHERE visible_at > @now),
                   count(*),
                   NULL::uuid, NULL::text, NULL::int, NULL::timestamptz, NULL::timestamptz, NULL::uuid, NULL::int, NULL::bool
            FROM messages WHERE queue_id = @queue_id AND expires_at > @now
            UNION ALL
            (SELECT 0, 0, 0, {MessageStore.Columns} FROM messages m WHERE m.queue_id = @queue_id AND m.expires_at > @now ORDER BY m.seq LIMIT 1)
            UNION ALL
            (SELECT 0, 0, 0, {MessageStore.Columns} FROM messages m WHERE m.queue_id = @queue_id AND m.expires_at > @now ORDER BY m.seq DESC LIMIT 1)
            """, connection);
        cmd.Parameters.Add(new NpgsqlParameter<long>("queue_id", queueId));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        long claimed = reader.GetInt64(0), delayed = reader.GetInt64(1), total = reader.GetInt64(2);
        StoredMessage? oldest = null, newest = null;
        if (await reader.ReadAsync(ct))
        {
            oldest = MessageStore.ReadMessage(reader, 3);
        }
        if (await reader.ReadAsync(ct))
        {
            newest = MessageStore.ReadMessage(reader, 3);
        }
        return new QueueCounts(claimed, delayed, total, oldest, newest);
    }

    /// <summary>
    /// The live messages of <paramref name="queue"/>, counted up to <paramref name="limit"/> (a deeper queue counts as
    /// <paramref name="limit"/>), and its oldest: what a periodic sample can afford for any queue, however deep.
    /// </summary>
    /// <remarks>
    /// Issue 14: an exact count reads every live message of the queue, and the telemetry sampler counted its ten deepest
    /// queues every interval: at the end of a bench run (queues of a million messages) its counts, each a parallel scan,
    /// ran through the measured seconds of the fan-out on the same two cores. This one walks the primary key
    /// (queue_id, seq) and stops at <paramref name="limit"/> rows.
    /// </remarks>
    public async Task<(long Live, StoredMessage? Oldest)> CountMessagesUpToAsync(QueueRef queue, DateTime now, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var route = await router.RouteAsync(queue, ct);
        await using var connection = await route.Target.DataSource.OpenConnectionAsync(ct);
        if (await QueueIdAsync(connection, queue, ct) is not { } queueId)
        {
            return (0, null);
        }
        await using var cmd = new NpgsqlCommand(
            $"""
            SELECT count(*), NULL::uuid, NULL::text, NULL::int, NULL::timestamptz, NULL::timestamptz, NULL::uuid, NULL::int, NULL::bool
            FROM (SELECT 1 FROM messages WHERE queue_id = @queue_id AND expires_at > @now ORDER BY seq LIMIT @limit) AS live
            UNION ALL
            (SELECT 0, {MessageStore.Columns} FROM messages m WHERE m.queue_id = @queue_id AND m.expires_at > @now ORDER BY m.seq LIMIT 1)
            """, connection);
        cmd.Parameters.Add(new NpgsqlParameter<long>("queue_id", queueId));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var live = reader.GetInt64(0);
        return (live, await reader.ReadAsync(ct) ? MessageStore.ReadMessage(reader, 1) : null);
    }

    /// <summary>The row id of <paramref name="queue"/>, looked up on its own so the statements after it are planned for that queue.</summary>
    private static async Task<long?> QueueIdAsync(NpgsqlConnection connection, QueueRef queue, CancellationToken ct)
    {
        await using var lookup = new NpgsqlCommand($"SELECT {QueueIdSql}", connection);
        AddQueue(lookup.Parameters, queue);
        return await lookup.ExecuteScalarAsync(ct) as long?;
    }

    /// <summary>The typed columns of <see cref="QueueSettings"/>, in the order of <see cref="SettingsParameters"/>.</summary>
    private const string SettingsColumns =
        "default_message_ttl, max_messages_post_size, default_message_delay, encrypt_messages, " +
        "max_claim_count, dead_letter_queue, dead_letter_queue_messages_ttl, retry_policy";

    private const string SettingsParameters =
        "@default_message_ttl, @max_messages_post_size, @default_message_delay, @encrypt_messages, " +
        "@max_claim_count, @dead_letter_queue, @dead_letter_queue_messages_ttl, @retry_policy";

    /// <summary>@metadata (jsonb) and the parameters of <see cref="SettingsParameters"/>.</summary>
    private static NpgsqlParameter[] MetadataParameters(string metadata, QueueSettings settings) =>
    [
        new NpgsqlParameter<string>("metadata", NpgsqlDbType.Jsonb) { TypedValue = metadata },
        Nullable("default_message_ttl", NpgsqlDbType.Integer, settings.DefaultMessageTtl),
        Nullable("max_messages_post_size", NpgsqlDbType.Integer, settings.MaxMessagesPostSize),
        Nullable("default_message_delay", NpgsqlDbType.Integer, settings.DefaultMessageDelay),
        new NpgsqlParameter<bool>("encrypt_messages", settings.EncryptMessages),
        Nullable("max_claim_count", NpgsqlDbType.Integer, settings.DeadLetter.MaxClaimCount),
        Nullable("dead_letter_queue", NpgsqlDbType.Text, settings.DeadLetter.Queue),
        Nullable("dead_letter_queue_messages_ttl", NpgsqlDbType.Integer, settings.DeadLetter.MessagesTtl),
        Nullable("retry_policy", NpgsqlDbType.Jsonb, settings.RetryPolicy),
    ];

    private static NpgsqlParameter Nullable(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };

    /// <summary>@project, @kind and @name: the parameters every queue-scoped statement filters on.</summary>
    private static NpgsqlParameter[] QueueParameters(QueueRef queue) =>
    [
        new NpgsqlParameter<string>("project", queue.Project),
        new NpgsqlParameter<short>("kind", (short)queue.Kind),
        new NpgsqlParameter<string>("name", queue.Name),
    ];

    /// <summary>Adds @project, @kind and @name: the parameters every queue-scoped statement filters on.</summary>
    internal static void AddQueue(NpgsqlParameterCollection parameters, QueueRef queue) => parameters.AddRange(QueueParameters(queue));
}
