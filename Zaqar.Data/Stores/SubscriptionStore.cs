using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using Zaqar.Data.Entities;
using Zaqar.Data.Pools;

namespace Zaqar.Data.Stores;

/// <summary>
/// Subscriptions of a queue or topic (issue #4): create, list, read, update, confirm, delete, purge, sweep.
/// Every statement scopes by the source (project, kind, name) and reads only live (unexpired) subscriptions.
/// Confirmation requests go into the notification outbox in the same transaction as the change causing them.
/// </summary>
/// <remarks>Singleton; thread-safe (each call takes its own pooled connection).</remarks>
public sealed class SubscriptionStore(QueueRouter router)
{
    private const string Source = "s.project = @project AND s.kind = @kind AND s.queue_name = @name";

    /// <summary>The columns <see cref="Read"/> reads, in order (alias s).</summary>
    private const string Columns =
        """
        s.id, s.queue_name, s.subscriber, s.subscriber_type, s.ttl, s.options::text, s.confirmed, s.created_at, s.expires_at,
        s.delivered_count, s.failed_count, (SELECT count(*) FROM notifications n WHERE n.subscription_id = s.id),
        s.last_error, s.last_error_at, s.last_delivered_at
        """;

    /// <summary>
    /// Creates the subscription unless the source has a live one with that subscriber; either way returns the one
    /// it has. Creates the queue (empty metadata) when missing, and removes an expired holder of the subscriber.
    /// </summary>
    public async Task<SubscriptionCreateOutcome> CreateAsync(
        QueueRef queue, NewSubscription subscription, DateTime now, ConfirmationDocument confirmation, CancellationToken ct)
    {
        // May create the queue: placed by the catalogue, never by a cached route (issue #6).
        var route = await router.PlaceAsync(queue, Placement.Any, trustCache: false, ct);
        await using var conn = await route.Target.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        bool created;
        await using (var batch = new NpgsqlBatch(conn, tx))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                INSERT INTO queues (project, kind, name, metadata, last_seq, created_at)
                VALUES (@project, @kind, @name, '{}', 0, @now)
                ON CONFLICT (project, kind, name) DO NOTHING
                """));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"DELETE FROM subscriptions s WHERE {Source} AND s.subscriber = @subscriber AND s.expires_at <= @now"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                """
                INSERT INTO subscriptions
                    (id, project, kind, queue_name, subscriber, subscriber_type, ttl, options, confirmed, created_at, expires_at)
                VALUES
                    (@id, @project, @kind, @name, @subscriber, @type, @ttl, @options, @confirmed, @now, @now + make_interval(secs => @ttl))
                ON CONFLICT (project, kind, queue_name, subscriber) DO NOTHING
                """));
            foreach (NpgsqlBatchCommand command in batch.BatchCommands)
            {
                QueueStore.AddQueue(command.Parameters, queue);
                command.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
            }
            var p = batch.BatchCommands[1].Parameters;
            p.Add(new NpgsqlParameter<string>("subscriber", subscription.Subscriber));
            p = batch.BatchCommands[2].Parameters;
            p.Add(new NpgsqlParameter<Guid>("id", subscription.Id));
            p.Add(new NpgsqlParameter<string>("subscriber", subscription.Subscriber));
            p.Add(new NpgsqlParameter<short>("type", (short)subscription.Type));
            p.Add(new NpgsqlParameter<int>("ttl", subscription.Ttl));
            p.Add(new NpgsqlParameter<string>("options", NpgsqlDbType.Jsonb) { TypedValue = subscription.Options });
            p.Add(new NpgsqlParameter<bool>("confirmed", subscription.Confirmed));
            await batch.ExecuteNonQueryAsync(ct);
            created = batch.BatchCommands[2].RecordsAffected == 1;
        }
        var stored = await ReadAsync(
                conn, tx, queue, "s.subscriber = @subscriber", p => p.Add(new NpgsqlParameter<string>("subscriber", subscription.Subscriber)), now, ct)
            ?? throw new InvalidOperationException("The subscription vanished inside its own transaction.");
        await EnqueueAsync(conn, tx, stored.Id, confirmation(created ? null : stored, stored), now, ct);
        await tx.CommitAsync(ct);
        return new SubscriptionCreateOutcome(stored, created);
    }

    /// <summary>One page of the source's live subscriptions in id (creation) order, after <paramref name="after"/>.</summary>
    public async Task<IReadOnlyList<StoredSubscription>> ListAsync(
        QueueRef queue, Guid? after, int limit, DateTime now, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var cmd = route.Target.DataSource.CreateCommand(
            $"""
            SELECT {Columns} FROM subscriptions s
            WHERE {Source} AND s.expires_at > @now AND (@after::uuid IS NULL OR s.id > @after)
            ORDER BY s.id
            LIMIT @limit
            """);
        QueueStore.AddQueue(cmd.Parameters, queue);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        cmd.Parameters.Add(new NpgsqlParameter("after", NpgsqlDbType.Uuid) { Value = after.HasValue ? after.Value : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var page = new List<StoredSubscription>(limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            page.Add(Read(reader));
        }
        return page;
    }

    public async Task<StoredSubscription?> GetAsync(QueueRef queue, Guid id, DateTime now, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var conn = await route.Target.DataSource.OpenConnectionAsync(ct);
        return await ReadAsync(conn, null, queue, "s.id = @id", p => p.Add(new NpgsqlParameter<Guid>("id", id)), now, ct);
    }

    /// <summary>
    /// Applies <paramref name="changes"/> to a live subscription. A new ttl restarts its age and expiry; a new
    /// subscriber makes it unconfirmed again (a confirmation belongs to the endpoint that gave it).
    /// </summary>
    public async Task<SubscriptionUpdateOutcome> UpdateAsync(
        QueueRef queue, Guid id, SubscriptionChanges changes, DateTime now, ConfirmationDocument confirmation, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var conn = await route.Target.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var before = await ReadAsync(conn, tx, queue, "s.id = @id", p => p.Add(new NpgsqlParameter<Guid>("id", id)), now, ct, forUpdate: true);
        if (before is null)
        {
            return SubscriptionUpdateOutcome.NotFound;
        }
        await using (var cmd = new NpgsqlCommand(
            $"""
            DELETE FROM subscriptions s WHERE {Source} AND s.subscriber = @subscriber AND s.expires_at <= @now;
            UPDATE subscriptions SET
                subscriber = coalesce(@subscriber, subscriber),
                subscriber_type = coalesce(@type, subscriber_type),
                confirmed = confirmed AND (@subscriber IS NULL OR @subscriber = subscriber),
                options = coalesce(@options, options),
                ttl = coalesce(@ttl, ttl),
                created_at = CASE WHEN @ttl IS NULL THEN created_at ELSE @now END,
                expires_at = CASE WHEN @ttl IS NULL THEN expires_at ELSE @now + make_interval(secs => @ttl) END
            WHERE id = @id
            """, conn, tx))
        {
            QueueStore.AddQueue(cmd.Parameters, queue);
            cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
            cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
            cmd.Parameters.Add(new NpgsqlParameter("subscriber", NpgsqlDbType.Text) { Value = (object?)changes.Subscriber ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("type", NpgsqlDbType.Smallint) { Value = changes.Type is { } t ? (short)t : DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("options", NpgsqlDbType.Jsonb) { Value = (object?)changes.Options ?? DBNull.Value });
            cmd.Parameters.Add(new NpgsqlParameter("ttl", NpgsqlDbType.Integer) { Value = changes.Ttl is { } ttl ? ttl : DBNull.Value });
            try
            {
                await cmd.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                return SubscriptionUpdateOutcome.Conflict;
            }
        }
        var after = (await ReadAsync(conn, tx, queue, "s.id = @id", p => p.Add(new NpgsqlParameter<Guid>("id", id)), now, ct))!;
        await EnqueueAsync(conn, tx, id, confirmation(before, after), now, ct);
        await tx.CommitAsync(ct);
        return SubscriptionUpdateOutcome.Updated;
    }

    /// <summary>
    /// Sets the confirmed flag of a live subscription. Unconfirming with <paramref name="dropPending"/> also drops
    /// its pending message notifications (they were for a confirmed subscriber). False when there is no such subscription.
    /// </summary>
    public async Task<bool> ConfirmAsync(
        QueueRef queue, Guid id, bool confirmed, bool dropPending, DateTime now, ConfirmationDocument confirmation, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var conn = await route.Target.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var before = await ReadAsync(conn, tx, queue, "s.id = @id", p => p.Add(new NpgsqlParameter<Guid>("id", id)), now, ct, forUpdate: true);
        if (before is null)
        {
            return false;
        }
        await using (var cmd = new NpgsqlCommand(
            """
            UPDATE subscriptions SET confirmed = @confirmed WHERE id = @id;
            DELETE FROM notifications WHERE @drop AND subscription_id = @id AND kind = 0;
            """, conn, tx))
        {
            cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
            cmd.Parameters.Add(new NpgsqlParameter<bool>("confirmed", confirmed));
            cmd.Parameters.Add(new NpgsqlParameter<bool>("drop", dropPending && !confirmed));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        var after = before with { Confirmed = confirmed };
        await EnqueueAsync(conn, tx, id, confirmation(before, after), now, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Deletes the subscription (and its pending notifications); deleting a missing one is not an error.</summary>
    public async Task<bool> DeleteAsync(QueueRef queue, Guid id, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var cmd = route.Target.DataSource.CreateCommand($"DELETE FROM subscriptions s WHERE {Source} AND s.id = @id");
        QueueStore.AddQueue(cmd.Parameters, queue);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        return await cmd.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>Deletes every subscription of the source; returns their ids.</summary>
    public async Task<IReadOnlyList<Guid>> PurgeAsync(QueueRef queue, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var cmd = route.Target.DataSource.CreateCommand($"DELETE FROM subscriptions s WHERE {Source} RETURNING s.id");
        QueueStore.AddQueue(cmd.Parameters, queue);
        return await ReadIdsAsync(cmd, ct);
    }

    /// <summary>Deletes hub-connection subscriptions by id (their connection ended), in one database.</summary>
    public async Task<int> DeleteHubSubscriptionsAsync(PoolTarget target, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        await using var cmd = target.DataSource.CreateCommand("DELETE FROM subscriptions WHERE id = ANY(@ids) AND subscriber_type = @hub");
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", ids.ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<short>("hub", (short)SubscriberType.Hub));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Which of <paramref name="ids"/> are still live subscriptions in one database.</summary>
    public async Task<IReadOnlyList<Guid>> LiveAsync(PoolTarget target, IReadOnlyList<Guid> ids, DateTime now, CancellationToken ct)
    {
        await using var cmd = target.DataSource.CreateCommand("SELECT id FROM subscriptions WHERE id = ANY(@ids) AND expires_at > @now");
        cmd.Parameters.Add(new NpgsqlParameter<Guid[]>("ids", ids.ToArray()));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        return await ReadIdsAsync(cmd, ct);
    }

    /// <summary>Deletes up to <paramref name="batchSize"/> expired subscriptions (with their pending notifications) of one database.</summary>
    public async Task<int> SweepExpiredAsync(PoolTarget target, DateTime now, int batchSize, CancellationToken ct)
    {
        await using var cmd = target.DataSource.CreateCommand(
            """
            DELETE FROM subscriptions WHERE id = ANY(ARRAY(
                SELECT id FROM subscriptions WHERE expires_at <= @now LIMIT @batch FOR UPDATE SKIP LOCKED))
            """);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        cmd.Parameters.Add(new NpgsqlParameter<int>("batch", batchSize));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<StoredSubscription?> ReadAsync(
        NpgsqlConnection conn, NpgsqlTransaction? tx, QueueRef queue, string filter, Action<NpgsqlParameterCollection> parameters,
        DateTime now, CancellationToken ct, bool forUpdate = false)
    {
        await using var cmd = new NpgsqlCommand(
            $"SELECT {Columns} FROM subscriptions s WHERE {Source} AND {filter} AND s.expires_at > @now{(forUpdate ? " FOR UPDATE" : string.Empty)}",
            conn, tx);
        QueueStore.AddQueue(cmd.Parameters, queue);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        parameters(cmd.Parameters);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static async Task EnqueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id, string? document, DateTime now, CancellationToken ct)
    {
        if (document is null)
        {
            return;
        }
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO notifications (subscription_id, kind, body, encrypted, ttl, delay, created_at, due_at, attempts)
            VALUES (@id, @kind, @body, false, 0, 0, @now, @now, 0)
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        cmd.Parameters.Add(new NpgsqlParameter<short>("kind", (short)NotificationKind.Confirmation));
        cmd.Parameters.Add(new NpgsqlParameter<string>("body", NpgsqlDbType.Json) { TypedValue = document });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<IReadOnlyList<Guid>> ReadIdsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var ids = new List<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetGuid(0));
        }
        return ids;
    }

    private static StoredSubscription Read(DbDataReader r) => new(
        Id: r.GetGuid(0),
        QueueName: r.GetString(1),
        Subscriber: r.GetString(2),
        Type: (SubscriberType)r.GetInt16(3),
        Ttl: r.GetInt32(4),
        Options: r.GetString(5),
        Confirmed: r.GetBoolean(6),
        CreatedAt: r.GetDateTime(7),
        ExpiresAt: r.GetDateTime(8),
        Delivery: new DeliveryStats(
            Delivered: r.GetInt64(9),
            Failed: r.GetInt64(10),
            Pending: r.GetInt64(11),
            LastError: r.IsDBNull(12) ? null : r.GetString(12),
            LastErrorAt: r.IsDBNull(13) ? null : r.GetDateTime(13),
            LastDeliveredAt: r.IsDBNull(14) ? null : r.GetDateTime(14)));
}
