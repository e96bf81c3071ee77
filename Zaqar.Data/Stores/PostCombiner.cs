using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;
using Zaqar.Data.Pools;

namespace Zaqar.Data.Stores;

/// <summary>
/// Combines concurrent posts to the same queue into one insert statement.
/// </summary>
/// <remarks>
/// A post holds its queue's row lock until its commit is flushed (that is what orders message positions by
/// commit, issue #2), so posts to one queue commit one after another: one WAL flush each. Combining the posts
/// that arrive while a flush is in progress lets one flush carry many of them. Each post still gets its own
/// contiguous positions, timestamps and Client-ID. A failed combined statement is retried post by post, so one
/// post's failure never fails another. Posts are combined per queue and route: a route that may not create the queue
/// (a cached one, issue #6) only adds to an existing queue row, and reports a missing row as null ids. A hand-written
/// Npgsql statement, not EF Core (issue 12 item 11): the hottest path, and one statement EF can't say. Singleton; thread-safe.
/// </remarks>
internal sealed class PostCombiner(OutboxOptions outbox)
{
    /// <summary>Bounds one statement (parameter arrays, WAL record, lock hold time).</summary>
    private const int MaxMessagesPerStatement = 2000;

    // A route that may create the queue creates it; the queue's row lock, held to commit, orders positions (issue #2).
    private const string UpsertQueueSql =
        """
        WITH q AS (
            INSERT INTO queues AS q (project, kind, name, metadata, last_seq, created_at)
            VALUES (@project, @kind, @name, '{}', @count, @first_created)
            ON CONFLICT (project, kind, name) DO UPDATE SET last_seq = q.last_seq + @count
            RETURNING id, last_seq, metadata_version),
        """;

    // No row, no messages: the statement then returns nothing, which tells the caller the queue is not there.
    private const string UpdateQueueSql =
        """
        WITH q AS (
            UPDATE queues AS q SET last_seq = q.last_seq + @count
            WHERE project = @project AND kind = @kind AND name = @name
            RETURNING id, last_seq, metadata_version),
        """;

    // The messages go in only if the queue's metadata is still the version the post was validated against (its
    // defaults and limits may be cached, see QueueEntity.MetadataVersion); otherwise nothing is inserted (the counter
    // bump leaves a harmless gap), the statement returns the queue's current version instead of positions, and the
    // caller validates again with fresh settings.
    // The notification outbox is filled by the same statement (issue #4): a row per (message, live subscription
    // delivered through the outbox), so a committed post never lacks its notifications and a failed one has none.
    // A delayed message's notifications come due when its delay has passed.
    private const string InsertSql =
        """
        m AS (
            INSERT INTO messages (queue_id, seq, id, body, ttl, created_at, expires_at, visible_at, claim_count, client_id, encrypted)
            SELECT q.id, s.seq, encode(int8send(s.seq) || int8send(b.nonce), 'hex')::uuid, b.body, b.ttl,
                   b.created, b.created + make_interval(secs => b.ttl), b.created + make_interval(secs => b.delay), 0, b.client, b.encrypted
            FROM q
            CROSS JOIN unnest(@bodies, @ttls, @delays, @nonces, @created, @clients, @encrypted)
                WITH ORDINALITY AS b(body, ttl, delay, nonce, created, client, encrypted, ord)
            CROSS JOIN LATERAL (SELECT q.last_seq - @count + b.ord AS seq) s
            WHERE q.metadata_version = @metadata_version
            RETURNING seq, id, body, ttl, created_at, visible_at, encrypted),
        n AS (
            INSERT INTO notifications (subscription_id, kind, message_id, body, encrypted, ttl, delay, created_at, due_at, attempts)
            SELECT s.id, 0, m.id, m.body, m.encrypted, m.ttl, extract(epoch FROM m.visible_at - m.created_at)::int,
                   m.created_at, m.visible_at, 0
            FROM m
            JOIN subscriptions s ON s.project = @project AND s.kind = @kind AND s.queue_name = @name
                AND s.subscriber_type IN (0, 1) AND s.expires_at > m.created_at
                AND (s.confirmed OR NOT @require_confirmation)
            ORDER BY m.seq, s.id)
        SELECT seq, NULL::bigint FROM m
        UNION ALL
        SELECT NULL, q.metadata_version FROM q WHERE NOT EXISTS (SELECT 1 FROM m)
        """;

    private const string UpsertSql = UpsertQueueSql + InsertSql;

    private const string UpdateSql = UpdateQueueSql + InsertSql;

    private readonly ConcurrentDictionary<LaneKey, Lane> _lanes = new();

    /// <summary>The posted messages in posting order; null when <paramref name="route"/> may not create the queue and it is not there.</summary>
    /// <exception cref="StaleQueueSettingsException">The queue's metadata is no longer <paramref name="metadataVersion"/>.</exception>
    public Task<PostedMessage[]?> PostAsync(
        QueueRoute route, QueueRef queue, IReadOnlyList<NewMessage> messages, string? clientId, DateTime now, long metadataVersion)
    {
        var post = new PendingPost(messages, clientId, now, metadataVersion);
        var key = new LaneKey(queue, route.Target, route.MayCreate);
        while (true)
        {
            var lane = _lanes.GetOrAdd(key, static _ => new Lane());
            lock (lane)
            {
                if (lane.Closed)
                {
                    continue; // Retired while we looked it up; take the new one.
                }
                lane.Pending.Enqueue(post);
                if (!lane.Draining)
                {
                    lane.Draining = true;
                    _ = Task.Run(() => DrainAsync(key, lane));
                }
            }
            return post.Completion.Task;
        }
    }

    private async Task DrainAsync(LaneKey key, Lane lane)
    {
        while (true)
        {
            var batch = new List<PendingPost>();
            lock (lane)
            {
                // One statement checks one metadata version: posts validated against another wait for the next one.
                var count = 0;
                while (lane.Pending.TryPeek(out var next) &&
                    (batch.Count == 0 || (count + next.Messages.Count <= MaxMessagesPerStatement && next.MetadataVersion == batch[0].MetadataVersion)))
                {
                    batch.Add(lane.Pending.Dequeue());
                    count += next.Messages.Count;
                }
                if (batch.Count == 0)
                {
                    lane.Draining = false;
                    lane.Closed = true;
                    _lanes.TryRemove(KeyValuePair.Create(key, lane));
                    return;
                }
            }
            try
            {
                await InsertAsync(key, batch);
            }
            catch (StaleQueueSettingsException ex)
            {
                foreach (var post in batch)
                {
                    post.Completion.TrySetException(ex);
                }
            }
            catch (Exception) when (batch.Count > 1)
            {
                // Keep one post's failure from failing the others: retry each alone.
                foreach (var post in batch)
                {
                    try
                    {
                        await InsertAsync(key, [post]);
                    }
                    catch (Exception ex)
                    {
                        post.Completion.TrySetException(ex);
                    }
                }
            }
            catch (Exception ex)
            {
                batch[0].Completion.TrySetException(ex);
            }
        }
    }

    private async Task InsertAsync(LaneKey lane, List<PendingPost> posts)
    {
        var count = posts.Sum(p => p.Messages.Count);
        var bodies = new string[count];
        var ttls = new int[count];
        var delays = new int[count];
        var created = new DateTime[count];
        var clients = new string?[count];
        var encrypted = new bool[count];
        var nonces = MessageIds.NewNonces(count);
        var i = 0;
        foreach (var post in posts)
        {
            foreach (var message in post.Messages)
            {
                (bodies[i], ttls[i], delays[i], created[i], clients[i]) = (message.Body, message.Ttl, message.Delay, post.Now, post.ClientId);
                encrypted[i] = message.Encrypted;
                i++;
            }
        }

        await using var cmd = await PreparedCommand.OpenAsync(lane.Target.DataSource, lane.MayCreate ? UpsertSql : UpdateSql, CancellationToken.None);
        QueueStore.AddQueue(cmd.Parameters, lane.Queue);
        cmd.Parameters.Add(new NpgsqlParameter<long>("count", count));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("first_created", posts[0].Now));
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("bodies", NpgsqlDbType.Array | NpgsqlDbType.Json) { TypedValue = bodies });
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("ttls", ttls));
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("delays", delays));
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("nonces", nonces));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime[]>("created", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = created });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]>("clients", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = clients });
        cmd.Parameters.Add(new NpgsqlParameter<bool[]>("encrypted", encrypted));
        cmd.Parameters.Add(new NpgsqlParameter<bool>("require_confirmation", outbox.RequireConfirmation));
        cmd.Parameters.Add(new NpgsqlParameter<long>("metadata_version", posts[0].MetadataVersion));

        long firstSeq = long.MaxValue;
        var stale = false;
        await using (var reader = await cmd.ExecuteReaderAsync(CancellationToken.None))
        {
            while (await reader.ReadAsync())
            {
                if (reader.IsDBNull(0))
                {
                    stale = true; // The queue is there, at another metadata version.
                }
                else
                {
                    firstSeq = Math.Min(firstSeq, reader.GetInt64(0));
                }
            }
        }
        if (stale)
        {
            throw new StaleQueueSettingsException(lane.Queue);
        }
        if (firstSeq == long.MaxValue)
        {
            foreach (var post in posts)
            {
                post.Completion.TrySetResult(null);
            }
            return;
        }
        var seq = firstSeq;
        i = 0;
        foreach (var post in posts)
        {
            var posted = new PostedMessage[post.Messages.Count];
            for (var j = 0; j < posted.Length; j++, i++, seq++)
            {
                var m = post.Messages[j];
                posted[j] = new PostedMessage(MessageIds.Compose(seq, nonces[i]), seq, m.Body, m.Ttl, m.Delay, post.Now, m.Encrypted);
            }
            post.Completion.TrySetResult(posted);
        }
    }

    private sealed record PendingPost(IReadOnlyList<NewMessage> Messages, string? ClientId, DateTime Now, long MetadataVersion)
    {
        public TaskCompletionSource<PostedMessage[]?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly record struct LaneKey(QueueRef Queue, PoolTarget Target, bool MayCreate);

    private sealed class Lane
    {
        public Queue<PendingPost> Pending { get; } = new();

        public bool Draining { get; set; }

        public bool Closed { get; set; }
    }
}

/// <summary>
/// A post was validated against settings of a metadata version the queue no longer has: nothing was inserted, and
/// the caller must validate again with the queue's current settings.
/// </summary>
public sealed class StaleQueueSettingsException(QueueRef queue)
    : Exception($"The metadata of {queue.Kind} {queue.Name} changed while a post to it was validated.")
{
    public QueueRef Queue { get; } = queue;
}
