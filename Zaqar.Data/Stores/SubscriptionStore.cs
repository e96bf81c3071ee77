using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Npgsql;
using Zaqar.Data.Entities;
using Zaqar.Data.Pools;

namespace Zaqar.Data.Stores;

/// <summary>
/// Subscriptions of a queue or topic (issue #4): create, list, read, update, confirm, delete, purge, sweep.
/// Every statement scopes by the source (project, kind, name) and reads only live (unexpired) subscriptions.
/// Confirmation requests go into the notification outbox in the same transaction as the change causing them.
/// </summary>
/// <remarks>
/// A cold path, so EF Core on the source's database (issue 12 item 11): LINQ reads, ExecuteUpdate/ExecuteDelete writes,
/// and SQL through the same context only for what EF can't say (the inserts-if-absent, the locked read, the purge that
/// returns what it deleted). The sweep stays a hand-written Npgsql command on the same data source: a batch delete with
/// SKIP LOCKED, so several nodes sweep at once without waiting on each other. Singleton; thread-safe (a context per call).
/// </remarks>
public sealed class SubscriptionStore(QueueRouter router)
{
    /// <summary>
    /// Creates the subscription unless the source has a live one with that subscriber; either way returns the one
    /// it has. Creates the queue (empty metadata) when missing, and removes an expired holder of the subscriber.
    /// </summary>
    public async Task<SubscriptionCreateOutcome> CreateAsync(
        QueueRef queue, NewSubscription subscription, DateTime now, ConfirmationDocument confirmation, CancellationToken ct)
    {
        // May create the queue: placed by the catalogue, never by a cached route (issue #6).
        var route = await router.PlaceAsync(queue, Placement.Any, trustCache: false, ct);
        await using var db = await route.Target.Contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Inserts-if-absent (ON CONFLICT DO NOTHING) are statements EF can't say: an exists-check first races a concurrent create.
        await db.Database.ExecuteSqlAsync(
            $$"""
            INSERT INTO queues (project, kind, name, metadata, last_seq, created_at)
            VALUES ({{queue.Project}}, {{(short)queue.Kind}}, {{queue.Name}}, '{}', 0, {{now}})
            ON CONFLICT (project, kind, name) DO NOTHING
            """, ct);
        await Source(db, queue).Where(s => s.Subscriber == subscription.Subscriber && s.ExpiresAt <= now).ExecuteDeleteAsync(ct);
        var created = await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO subscriptions
                (id, project, kind, queue_name, subscriber, subscriber_type, ttl, options, confirmed, created_at, expires_at)
            VALUES
                ({subscription.Id}, {queue.Project}, {(short)queue.Kind}, {queue.Name}, {subscription.Subscriber}, {(short)subscription.Type},
                 {subscription.Ttl}, {subscription.Options}::jsonb, {subscription.Confirmed}, {now}, {now.AddSeconds(subscription.Ttl)})
            ON CONFLICT (project, kind, queue_name, subscriber) DO NOTHING
            """, ct) == 1;
        var stored = await Project(db, Live(db, queue, now).Where(s => s.Subscriber == subscription.Subscriber)).FirstOrDefaultAsync(ct)
            ?? throw new InvalidOperationException("The subscription vanished inside its own transaction.");
        await EnqueueAsync(db, stored.Id, confirmation(created ? null : stored, stored), now, ct);
        await tx.CommitAsync(ct);
        return new SubscriptionCreateOutcome(stored, created);
    }

    /// <summary>One page of the source's live subscriptions in id (creation) order, after <paramref name="after"/>.</summary>
    public async Task<IReadOnlyList<StoredSubscription>> ListAsync(
        QueueRef queue, Guid? after, int limit, DateTime now, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var db = await route.Target.Contexts.CreateDbContextAsync(ct);
        var live = Live(db, queue, now);
        if (after is { } marker)
        {
            live = live.Where(s => s.Id.CompareTo(marker) > 0);
        }
        return await Project(db, live.OrderBy(s => s.Id).Take(limit)).ToListAsync(ct);
    }

    public async Task<StoredSubscription?> GetAsync(QueueRef queue, Guid id, DateTime now, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var db = await route.Target.Contexts.CreateDbContextAsync(ct);
        return await Project(db, Live(db, queue, now).Where(s => s.Id == id)).FirstOrDefaultAsync(ct);
    }

    /// <summary>
    /// Applies <paramref name="changes"/> to a live subscription. A new ttl restarts its age and expiry; a new
    /// subscriber makes it unconfirmed again (a confirmation belongs to the endpoint that gave it).
    /// </summary>
    public async Task<SubscriptionUpdateOutcome> UpdateAsync(
        QueueRef queue, Guid id, SubscriptionChanges changes, DateTime now, ConfirmationDocument confirmation, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var db = await route.Target.Contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var before = await LockedAsync(db, queue, id, now, ct);
        if (before is null)
        {
            return SubscriptionUpdateOutcome.NotFound;
        }
        try
        {
            if (changes.Subscriber is { } subscriber)
            {
                // An expired holder of the new subscriber gives way, as on create.
                await Source(db, queue).Where(s => s.Subscriber == subscriber && s.ExpiresAt <= now).ExecuteDeleteAsync(ct);
            }
            if (changes is not { Subscriber: null, Type: null, Options: null, Ttl: null })
            {
                await db.Subscriptions.Where(s => s.Id == id).ExecuteUpdateAsync(u => Apply(u, changes, now), ct);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return SubscriptionUpdateOutcome.Conflict;
        }
        var after = (await Project(db, Live(db, queue, now).Where(s => s.Id == id)).FirstOrDefaultAsync(ct))!;
        await EnqueueAsync(db, id, confirmation(before, after), now, ct);
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
        await using var db = await route.Target.Contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var before = await LockedAsync(db, queue, id, now, ct);
        if (before is null)
        {
            return false;
        }
        await db.Subscriptions.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.Confirmed, confirmed), ct);
        if (dropPending && !confirmed)
        {
            await db.Notifications.Where(n => n.SubscriptionId == id && n.Kind == NotificationKind.Message).ExecuteDeleteAsync(ct);
        }
        var after = before with { Confirmed = confirmed };
        await EnqueueAsync(db, id, confirmation(before, after), now, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Deletes the subscription (and its pending notifications); deleting a missing one is not an error.</summary>
    public async Task<bool> DeleteAsync(QueueRef queue, Guid id, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var db = await route.Target.Contexts.CreateDbContextAsync(ct);
        return await Source(db, queue).Where(s => s.Id == id).ExecuteDeleteAsync(ct) > 0;
    }

    /// <summary>Deletes every subscription of the source; returns their ids.</summary>
    public async Task<IReadOnlyList<Guid>> PurgeAsync(QueueRef queue, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var db = await route.Target.Contexts.CreateDbContextAsync(ct);
        // DELETE ... RETURNING: ExecuteDelete returns only a count.
        return await db.Database.SqlQuery<Guid>(
            $"""
            DELETE FROM subscriptions WHERE project = {queue.Project} AND kind = {(short)queue.Kind} AND queue_name = {queue.Name}
            RETURNING id AS "Value"
            """).ToListAsync(ct);
    }

    /// <summary>Deletes hub-connection subscriptions by id (their connection ended), in one database.</summary>
    public async Task<int> DeleteHubSubscriptionsAsync(PoolTarget target, IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        var idArray = ids.ToArray();
        await using var db = await target.Contexts.CreateDbContextAsync(ct);
        return await db.Subscriptions.Where(s => idArray.Contains(s.Id) && s.SubscriberType == SubscriberType.Hub).ExecuteDeleteAsync(ct);
    }

    /// <summary>Which of <paramref name="ids"/> are still live subscriptions in one database.</summary>
    public async Task<IReadOnlyList<Guid>> LiveAsync(PoolTarget target, IReadOnlyList<Guid> ids, DateTime now, CancellationToken ct)
    {
        var idArray = ids.ToArray();
        await using var db = await target.Contexts.CreateDbContextAsync(ct);
        return await db.Subscriptions.Where(s => idArray.Contains(s.Id) && s.ExpiresAt > now).Select(s => s.Id).ToListAsync(ct);
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

    /// <summary>The source's subscriptions, live or not.</summary>
    private static IQueryable<SubscriptionEntity> Source(ZaqarDbContext db, QueueRef queue) =>
        db.Subscriptions.Where(s => s.Project == queue.Project && s.Kind == queue.Kind && s.QueueName == queue.Name);

    private static IQueryable<SubscriptionEntity> Live(ZaqarDbContext db, QueueRef queue, DateTime now) =>
        Source(db, queue).AsNoTracking().Where(s => s.ExpiresAt > now);

    /// <summary>The live subscription, locked until the transaction ends; null when there is none.</summary>
    private static Task<StoredSubscription?> LockedAsync(ZaqarDbContext db, QueueRef queue, Guid id, DateTime now, CancellationToken ct) =>
        // FOR UPDATE: LINQ has no row locks.
        Project(db, db.Subscriptions.FromSql(
                $"""
                SELECT * FROM subscriptions
                WHERE project = {queue.Project} AND kind = {(short)queue.Kind} AND queue_name = {queue.Name} AND id = {id} AND expires_at > {now}
                FOR UPDATE
                """).AsNoTracking())
            .FirstOrDefaultAsync(ct);

    /// <summary>A PATCH's changes as setters; a column it leaves alone is not set.</summary>
    private static void Apply(UpdateSettersBuilder<SubscriptionEntity> u, SubscriptionChanges changes, DateTime now)
    {
        if (changes.Subscriber is { } subscriber)
        {
            // Every right-hand side reads the row as it was: confirmed survives only an unchanged subscriber.
            u.SetProperty(s => s.Confirmed, s => s.Confirmed && s.Subscriber == subscriber);
            u.SetProperty(s => s.Subscriber, subscriber);
        }
        if (changes.Type is { } type)
        {
            u.SetProperty(s => s.SubscriberType, type);
        }
        if (changes.Options is { } options)
        {
            u.SetProperty(s => s.Options, options);
        }
        if (changes.Ttl is { } ttl)
        {
            u.SetProperty(s => s.Ttl, ttl);
            u.SetProperty(s => s.CreatedAt, now);
            u.SetProperty(s => s.ExpiresAt, now.AddSeconds(ttl));
        }
    }

    private static async Task EnqueueAsync(ZaqarDbContext db, Guid id, string? document, DateTime now, CancellationToken ct)
    {
        if (document is null)
        {
            return;
        }
        db.Notifications.Add(new NotificationEntity
        {
            SubscriptionId = id, Kind = NotificationKind.Confirmation, Body = document, CreatedAt = now, DueAt = now,
        });
        await db.SaveChangesAsync(ct);
    }

    private static IQueryable<StoredSubscription> Project(ZaqarDbContext db, IQueryable<SubscriptionEntity> subscriptions) =>
        subscriptions.Select(s => new StoredSubscription(
            s.Id, s.QueueName, s.Subscriber, s.SubscriberType, s.Ttl, s.Options, s.Confirmed, s.CreatedAt, s.ExpiresAt,
            new DeliveryStats(
                s.DeliveredCount, s.FailedCount, db.Notifications.LongCount(n => n.SubscriptionId == s.Id),
                s.LastError, s.LastErrorAt, s.LastDeliveredAt)));
}
