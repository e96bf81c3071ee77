using Npgsql;
using Zaqar.Data.Pools;

namespace Zaqar.Data.Stores;

/// <summary>
/// Claims: a claim is a lock id plus a visible-after time written onto the messages it holds (MassTransit's
/// lease design). Claiming picks messages with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent claimers never
/// take the same message and never wait on each other.
/// </summary>
/// <remarks>
/// Hand-written Npgsql commands on the queue's data source, not EF Core (issue 12 item 11): a hot path, and each call is
/// one statement EF can't say (SKIP LOCKED, dead-lettering in data-modifying CTEs). Singleton; thread-safe (each call
/// takes its own pooled connection).
/// </remarks>
public sealed class ClaimStore(QueueRouter router)
{
    private const string QueueIdSql = "(SELECT id FROM queues WHERE project = @project AND kind = @kind AND name = @name)";

    /// <summary>Where <see cref="CreateSql"/>'s rows carry the dead-letter queue messages moved to: after seq and the message columns.</summary>
    private const int MovedToColumn = 9;

    // One statement: pick, dead-letter the over-claimed, claim the rest, record the claim. Data-modifying CTEs
    // share one snapshot, and no row is touched twice (doomed rows are moved, the others claimed). The
    // dead-letter rule is read from the queue's columns here (written by the API layer with the metadata, issue 12
    // item 5), so a claim costs one round trip.
    private const string CreateSql =
        $"""
        WITH q AS (
            SELECT id, max_claim_count AS max_claims, dead_letter_queue AS dlq_name, dead_letter_queue_messages_ttl AS dlq_ttl
            FROM queues
            WHERE project = @project AND kind = @kind AND name = @name),
        cand AS (
            SELECT m.queue_id, m.seq, m.claim_count
            FROM messages m
            WHERE m.queue_id = (SELECT id FROM q)
              AND m.expires_at > @now AND m.visible_at <= @now
              AND (m.claim_expires_at IS NULL OR m.claim_expires_at <= @now)
            ORDER BY m.seq
            LIMIT @limit
            FOR UPDATE SKIP LOCKED),
        doomed AS (
            SELECT c.queue_id, c.seq, row_number() OVER (ORDER BY c.seq) AS ord
            FROM cand c, q
            WHERE q.max_claims IS NOT NULL AND q.dlq_name IS NOT NULL AND c.claim_count >= q.max_claims),
        dlq AS (
            INSERT INTO queues AS dq (project, kind, name, metadata, last_seq, created_at)
            SELECT @project, @kind, q.dlq_name, jsonb_build_object(), (SELECT count(*) FROM doomed), @now
            FROM q
            WHERE EXISTS (SELECT 1 FROM doomed)
            ON CONFLICT (project, kind, name) DO UPDATE SET last_seq = dq.last_seq + EXCLUDED.last_seq
            RETURNING id, last_seq),
        moved AS (
            INSERT INTO messages (queue_id, seq, id, body, ttl, created_at, expires_at, visible_at, claim_count, client_id, encrypted)
            SELECT dlq.id, s.seq, encode(int8send(s.seq) || substr(uuid_send(gen_random_uuid()), 9, 8), 'hex')::uuid,
                   m.body, COALESCE(q.dlq_ttl, m.ttl), @now, @now + make_interval(secs => COALESCE(q.dlq_ttl, m.ttl)), @now,
                   m.claim_count, m.client_id, m.encrypted
            FROM dlq
            CROSS JOIN q
            CROSS JOIN doomed d
            JOIN messages m ON m.queue_id = d.queue_id AND m.seq = d.seq
            CROSS JOIN LATERAL (SELECT dlq.last_seq - (SELECT count(*) FROM doomed) + d.ord AS seq) s
            RETURNING 1),
        gone AS (
            DELETE FROM messages m USING doomed d
            WHERE m.queue_id = d.queue_id AND m.seq = d.seq
            RETURNING 1),
        claimed AS (
            UPDATE messages m
            SET claim_id = @claim, claim_expires_at = @claim_expires, claim_count = m.claim_count + 1,
                ttl = CASE WHEN m.expires_at < @hold_until THEN @ttl + @grace ELSE m.ttl END,
                expires_at = GREATEST(m.expires_at, @hold_until)
            FROM cand c
            WHERE m.queue_id = c.queue_id AND m.seq = c.seq
              AND NOT EXISTS (SELECT 1 FROM doomed d WHERE d.seq = c.seq)
            RETURNING m.seq, {MessageStore.Columns}),
        recorded AS (
            INSERT INTO claims (id, queue_id, ttl, grace, created_at, expires_at, message_seqs)
            SELECT @claim, q.id, @ttl, @grace, @now, @claim_expires, ARRAY(SELECT seq FROM claimed ORDER BY seq)
            FROM q
            WHERE EXISTS (SELECT 1 FROM claimed))
        SELECT c.*, x.moved_to, x.moved_count
        FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM moved) THEN (SELECT dlq_name FROM q) END AS moved_to, (SELECT count(*) FROM moved) AS moved_count) x
        LEFT JOIN claimed c ON true
        WHERE c.seq IS NOT NULL OR x.moved_to IS NOT NULL
        ORDER BY c.seq
        """;

    /// <summary>
    /// Claims up to <paramref name="limit"/> messages, oldest first, for <paramref name="ttl"/> seconds, and
    /// keeps each alive for at least <paramref name="grace"/> seconds past the claim. When the queue has a
    /// dead-letter rule (<see cref="DeadLetterRule"/>), messages already claimed that
    /// many times move to the dead-letter queue instead.
    /// </summary>
    /// <remarks>
    /// The statement creates the dead-letter queue on the source queue's database when it must; the catalogue is then
    /// told it lives there (issue #6). When messages moved, every row names it (moved_to); one row of nulls does if none was claimed.
    /// </remarks>
    /// <returns>The messages claimed (empty when nothing was claimable; then no claim exists).</returns>
    public Task<IReadOnlyList<StoredMessage>> CreateAsync(
        QueueRef queue, Guid claimId, int ttl, int grace, int limit, DateTime now, CancellationToken ct) =>
        CreateAsync(queue, claimId, ttl, grace, limit, now, claimed => claimed, deadLettered: null, ct);

    /// <summary>
    /// <see cref="CreateAsync(QueueRef, Guid, int, int, int, DateTime, CancellationToken)"/>, returning
    /// <paramref name="answer"/> of the claimed messages. If the answer throws, the claim is undone before the exception
    /// goes on (issue 10: a claim whose answer failed hid its messages for the claim's ttl, with no claim id given to
    /// anyone): its messages are free again, with their claim count as it was.
    /// </summary>
    /// <remarks>
    /// The claim commits on its own (one round trip; issue 14 item 3: holding its transaction open while the answer was
    /// built cost a second one, the COMMIT, on every claim) and is undone only when the answer fails, which for accepted
    /// bodies only a body stored under another encryption key does. Undone, the messages keep the lifetime the claim gave
    /// them (at least its ttl and grace), and messages moved to the dead-letter queue stay moved: they had been claimed
    /// their maximum number of times before this claim. A node that dies between the two leaves the claim to expire, as a
    /// client that dies holding one does.
    /// </remarks>
    /// <param name="deadLettered">Told how many messages moved to the dead-letter queue, after commit, when any did (issue 15: a metric).</param>
    public async Task<T> CreateAsync<T>(
        QueueRef queue, Guid claimId, int ttl, int grace, int limit, DateTime now, Func<IReadOnlyList<StoredMessage>, T> answer,
        Action<long>? deadLettered, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        var claimed = new List<StoredMessage>(limit);
        string? movedTo = null;
        long movedCount = 0;
        await using (var cmd = await PreparedCommand.OpenAsync(route.Target.DataSource, CreateSql, ct))
        {
            QueueStore.AddQueue(cmd.Parameters, queue);
            AddClaimTimes(cmd.Parameters, claimId, ttl, grace, now);
            cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
            // Not cancellable once sent (issue 10). A consume stream ends by cancelling, often while its next claim is in
            // flight, and a statement cancelled mid-read sometimes left its pooled connection out of step with the server:
            // the next user of the connection failed with Npgsql's "Received unexpected backend message DataRow" (a 500 on
            // REST, a failed stream on the hub). The statement is short: it runs to its end.
            await using var reader = await cmd.ExecuteReaderAsync(CancellationToken.None);
            while (await reader.ReadAsync(CancellationToken.None))
            {
                if (!reader.IsDBNull(0))
                {
                    claimed.Add(MessageStore.ReadMessage(reader, 1));
                }
                if (movedTo is null && !reader.IsDBNull(MovedToColumn))
                {
                    movedTo = reader.GetString(MovedToColumn);
                    movedCount = reader.GetInt64(MovedToColumn + 1);
                }
            }
        }
        if (movedTo is not null)
        {
            deadLettered?.Invoke(movedCount);
            await router.AdoptAsync(queue with { Name = movedTo }, route.Target, CancellationToken.None);
        }
        try
        {
            return answer(claimed);
        }
        catch when (claimed.Count > 0)
        {
            await EndAsync(route.Target, queue, claimId, undo: true, CancellationToken.None);
            throw;
        }
    }

    /// <summary>The claim and its messages while it is live; null when unknown or expired.</summary>
    public async Task<StoredClaim?> GetAsync(QueueRef queue, Guid claimId, DateTime now, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        var batch = route.Target.DataSource.CreateBatch();
        await using (batch)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"SELECT c.ttl, c.grace, c.created_at, c.expires_at FROM claims c WHERE c.id = @claim AND c.queue_id = {QueueIdSql} AND c.expires_at > @now"));
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                $"""
                SELECT {MessageStore.Columns}
                FROM claims c
                JOIN messages m ON m.queue_id = c.queue_id AND m.seq = ANY(c.message_seqs)
                WHERE c.id = @claim AND c.queue_id = {QueueIdSql}
                  AND m.claim_id = @claim AND m.claim_expires_at > @now AND m.expires_at > @now
                ORDER BY m.seq
                """));
            foreach (NpgsqlBatchCommand command in batch.BatchCommands)
            {
                QueueStore.AddQueue(command.Parameters, queue);
                command.Parameters.Add(new NpgsqlParameter<Guid>("claim", claimId));
                command.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
            }
            await using var reader = await batch.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }
            var (ttl, grace, created, expires) = (reader.GetInt32(0), reader.GetInt32(1), reader.GetDateTime(2), reader.GetDateTime(3));
            await reader.NextResultAsync(ct);
            var messages = new List<StoredMessage>();
            while (await reader.ReadAsync(ct))
            {
                messages.Add(MessageStore.ReadMessage(reader, 0));
            }
            return new StoredClaim(claimId, ttl, grace, created, expires, messages);
        }
    }

    /// <summary>Renews a live claim: it now expires <paramref name="ttl"/> seconds from now. False when unknown or expired.</summary>
    public async Task<bool> UpdateAsync(QueueRef queue, Guid claimId, int ttl, int grace, DateTime now, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var cmd = await PreparedCommand.OpenAsync(route.Target.DataSource,
            $"""
            WITH c AS (
                UPDATE claims SET ttl = @ttl, grace = @grace, expires_at = @claim_expires
                WHERE id = @claim AND queue_id = {QueueIdSql} AND expires_at > @now
                RETURNING id, queue_id, message_seqs),
            held AS (
                UPDATE messages m
                SET claim_expires_at = @claim_expires,
                    ttl = CASE WHEN m.expires_at < @hold_until THEN @ttl + @grace ELSE m.ttl END,
                    expires_at = GREATEST(m.expires_at, @hold_until)
                FROM c
                WHERE m.queue_id = c.queue_id AND m.seq = ANY(c.message_seqs) AND m.claim_id = c.id
                  AND m.claim_expires_at > @now AND m.expires_at > @now
                RETURNING 1)
            SELECT count(*) FROM c
            """, ct);
        QueueStore.AddQueue(cmd.Parameters, queue);
        AddClaimTimes(cmd.Parameters, claimId, ttl, grace, now);
        return (long)(await cmd.ExecuteScalarAsync(ct))! > 0;
    }

    /// <summary>The claim id and the times a claim's statements set: @ttl, @grace, @now, @claim_expires, @hold_until.</summary>
    private static void AddClaimTimes(NpgsqlParameterCollection parameters, Guid claimId, int ttl, int grace, DateTime now)
    {
        var claimExpires = now.AddSeconds(ttl);
        parameters.Add(new NpgsqlParameter<Guid>("claim", claimId));
        parameters.Add(new NpgsqlParameter<int>("ttl", ttl));
        parameters.Add(new NpgsqlParameter<int>("grace", grace));
        parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        parameters.Add(new NpgsqlParameter<DateTime>("claim_expires", claimExpires));
        parameters.Add(new NpgsqlParameter<DateTime>("hold_until", claimExpires.AddSeconds(grace)));
    }

    /// <summary>Ends a claim; its messages become claimable at once. Releasing an unknown claim is not an error.</summary>
    public async Task ReleaseAsync(QueueRef queue, Guid claimId, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await EndAsync(route.Target, queue, claimId, undo: false, ct);
    }

    /// <summary>
    /// Ends a claim: its record goes and its messages are free. <paramref name="undo"/>: the claim is taken back as if it
    /// had not been made (its messages' claim count goes back down), for a claim whose answer could not be built.
    /// </summary>
    private static async Task EndAsync(PoolTarget target, QueueRef queue, Guid claimId, bool undo, CancellationToken ct)
    {
        await using var cmd = await PreparedCommand.OpenAsync(target.DataSource,
            $"""
            WITH c AS (
                DELETE FROM claims WHERE id = @claim AND queue_id = {QueueIdSql}
                RETURNING id, queue_id, message_seqs)
            UPDATE messages m
            SET claim_id = NULL, claim_expires_at = NULL,
                claim_count = CASE WHEN @undo THEN greatest(m.claim_count - 1, 0) ELSE m.claim_count END
            FROM c
            WHERE m.queue_id = c.queue_id AND m.seq = ANY(c.message_seqs) AND m.claim_id = c.id
            """, ct);
        QueueStore.AddQueue(cmd.Parameters, queue);
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("claim", claimId));
        cmd.Parameters.Add(new NpgsqlParameter<bool>("undo", undo));
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
