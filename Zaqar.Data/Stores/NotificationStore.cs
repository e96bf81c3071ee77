using Npgsql;
using Zaqar.Data.Entities;
using Zaqar.Data.Pools;

namespace Zaqar.Data.Stores;

/// <summary>
/// The notification outbox as dispatchers see it (issue #4). Rows are written by the post statement
/// (<see cref="PostCombiner"/>) and by subscription changes (<see cref="SubscriptionStore"/>); here they are leased,
/// then settled: delivered, retried later, given up on, or released.
/// </summary>
/// <remarks>
/// Several dispatchers (nodes) may claim at once: <c>FOR UPDATE SKIP LOCKED</c> gives each its own rows, and a
/// lease is a due time moved ahead plus a lease id. A dispatcher that dies leaves its rows to come due again when
/// the lease lapses (at-least-once); settling checks the lease id, so a lapsed lease can't settle a row another
/// dispatcher has since taken. The outbox lives with the messages, so each database (the primary and each pool,
/// issue #6) has its own: every call names its <see cref="PoolTarget"/>. Hand-written Npgsql commands, not EF Core
/// (issue 12 item 11): leasing is SKIP LOCKED, and settling runs per delivered notification. Singleton; stateless.
/// </remarks>
public sealed class NotificationStore
{
    /// <summary>
    /// Leases up to <paramref name="limit"/> due rows of live subscriptions, oldest due first, until
    /// <paramref name="leaseUntil"/>; returns them with their subscription and their queue's retry policy.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedNotification>> ClaimAsync(
        PoolTarget target, DateTime now, DateTime leaseUntil, Guid lease, int limit, CancellationToken ct)
    {
        await using var cmd = target.DataSource.CreateCommand(
            """
            WITH c AS (
                SELECT n.id, n.subscription_id FROM notifications n
                JOIN subscriptions s ON s.id = n.subscription_id
                WHERE n.due_at <= @now AND s.expires_at > @now
                ORDER BY n.due_at, n.id
                LIMIT @limit
                FOR UPDATE OF n SKIP LOCKED)
            UPDATE notifications n SET due_at = @lease_until, lease = @lease
            FROM c
            JOIN subscriptions s ON s.id = c.subscription_id
            LEFT JOIN queues q ON q.project = s.project AND q.kind = s.kind AND q.name = s.queue_name
            WHERE n.id = c.id
            RETURNING n.id, n.kind, n.attempts, n.message_id, n.body::text, n.encrypted, n.ttl, n.delay,
                      s.id, s.project, s.kind, s.queue_name, s.subscriber, s.subscriber_type, s.options::text,
                      q.retry_policy::text
            """);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("lease_until", leaseUntil));
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("lease", lease));
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var claimed = new List<ClaimedNotification>(limit);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            claimed.Add(new ClaimedNotification(
                Id: r.GetInt64(0),
                Kind: (NotificationKind)r.GetInt16(1),
                Attempts: r.GetInt32(2),
                MessageId: r.IsDBNull(3) ? null : r.GetGuid(3),
                Body: r.GetString(4),
                Encrypted: r.GetBoolean(5),
                Ttl: r.GetInt32(6),
                Delay: r.GetInt32(7),
                SubscriptionId: r.GetGuid(8),
                Source: new QueueRef(r.GetString(9), r.GetString(11), (QueueKind)r.GetInt16(10)),
                Subscriber: r.GetString(12),
                Type: (SubscriberType)r.GetInt16(13),
                Options: r.GetString(14),
                QueueRetryPolicy: r.IsDBNull(15) ? null : r.GetString(15))
            {
                Pool = target,
            });
        }
        claimed.Sort((a, b) => a.Id.CompareTo(b.Id));
        return claimed;
    }

    /// <summary>Delivered: the row goes, the subscription's delivered count grows.</summary>
    public Task DeliveredAsync(PoolTarget target, long id, Guid lease, DateTime now, CancellationToken ct) =>
        RunAsync(target, 
            """
            WITH d AS (DELETE FROM notifications WHERE id = @id AND lease = @lease RETURNING subscription_id)
            UPDATE subscriptions SET delivered_count = delivered_count + 1, last_delivered_at = @now
            WHERE id IN (SELECT subscription_id FROM d)
            """, id, lease, now, null, ct);

    /// <summary>
    /// Given up on (retry policy exhausted, or refused by the subscriber): the row goes, the subscription records
    /// the failure and its reason.
    /// </summary>
    public Task FailedAsync(PoolTarget target, long id, Guid lease, DateTime now, string error, CancellationToken ct) =>
        RunAsync(target, 
            """
            WITH d AS (DELETE FROM notifications WHERE id = @id AND lease = @lease RETURNING subscription_id)
            UPDATE subscriptions SET failed_count = failed_count + 1, last_error = @error, last_error_at = @now
            WHERE id IN (SELECT subscription_id FROM d)
            """, id, lease, now, error, ct);

    /// <summary>Failed this time: counted, and due again at <paramref name="dueAt"/>.</summary>
    public async Task RetryAsync(PoolTarget target, long id, Guid lease, int attempts, DateTime dueAt, string error, CancellationToken ct)
    {
        await using var cmd = target.DataSource.CreateCommand(
            "UPDATE notifications SET attempts = @attempts, due_at = @due, lease = NULL, last_error = @error WHERE id = @id AND lease = @lease");
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("lease", lease));
        cmd.Parameters.Add(new NpgsqlParameter<int>("attempts", attempts));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("due", dueAt));
        cmd.Parameters.Add(new NpgsqlParameter<string>("error", error));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Not tried after all (the dispatcher is stopping): due again at once, no attempt counted.</summary>
    public Task ReleaseAsync(PoolTarget target, long id, Guid lease, DateTime now, CancellationToken ct) =>
        RunAsync(target, "UPDATE notifications SET due_at = @now, lease = NULL WHERE id = @id AND lease = @lease", id, lease, now, null, ct);

    private static async Task RunAsync(PoolTarget target, string sql, long id, Guid lease, DateTime now, string? error, CancellationToken ct)
    {
        await using var cmd = target.DataSource.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter<long>("id", id));
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("lease", lease));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        if (error is not null)
        {
            cmd.Parameters.Add(new NpgsqlParameter<string>("error", error));
        }
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
