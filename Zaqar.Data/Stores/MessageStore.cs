using System.Data.Common;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Zaqar.Data.Pools;

namespace Zaqar.Data.Stores;

/// <summary>
/// Messages of a queue: post, list, get, delete, pop. Every statement scopes by (project, queue name), so a
/// caller can only reach its own project's rows.
/// </summary>
/// <remarks>
/// Hand-written Npgsql commands on the queue's data source, not EF Core (issue 12 item 11): these are the paths users feel
/// (post, listing, get, delete, pop), each one round trip with what EF can't say in one statement (the post's position
/// counter and outbox rows, pop's claim-and-delete, the bulk deletes). Singleton; thread-safe (each call takes its own
/// pooled connection).
/// </remarks>
public sealed class MessageStore(QueueRouter router, IOptions<OutboxOptions> outbox)
{
    /// <summary>The columns <see cref="ReadMessage"/> reads, in order; needs @now and the alias m.</summary>
    internal const string Columns =
        "m.id, m.body::text, m.ttl, m.created_at, m.expires_at, CASE WHEN m.claim_expires_at > @now THEN m.claim_id END, m.claim_count, m.encrypted";

    private const string QueueIdSql = "(SELECT id FROM queues WHERE project = @project AND kind = @kind AND name = @name)";

    private readonly PostCombiner _posts = new(outbox.Value);

    /// <summary>
    /// Inserts a batch. The queue row is created if missing and its counter bumped by the batch size; the row
    /// lock taken by that bump is held to commit, so positions are handed out in commit order per queue and a
    /// marker-following reader never skips a message (issue #2). Concurrent posts to one queue share a
    /// statement (<see cref="PostCombiner"/>).
    /// </summary>
    /// <remarks>
    /// The hot path trusts a cached route only to add to an existing queue row; a queue that is not where the route says
    /// (new, or moved by another node) is placed by the catalogue and posted again there (issue #6).
    /// </remarks>
    /// <returns>The posted messages (id, position, stored body), in posting order.</returns>
    /// <exception cref="StaleQueueSettingsException">The queue's metadata is no longer <paramref name="metadataVersion"/>: nothing was posted.</exception>
    public async Task<PostedMessage[]> PostAsync(
        QueueRef queue, IReadOnlyList<NewMessage> messages, string? clientId, DateTime now, long metadataVersion, CancellationToken ct)
    {
        var route = await router.PlaceAsync(queue, Placement.Any, trustCache: true, ct);
        // Not cancellable once queued: a combined statement serves other callers too.
        if (await _posts.PostAsync(route, queue, messages, clientId, now, metadataVersion).WaitAsync(ct) is { } posted)
        {
            return posted;
        }
        router.Forget(queue);
        route = await router.PlaceAsync(queue, Placement.Any, trustCache: false, ct);
        return await _posts.PostAsync(route, queue, messages, clientId, now, metadataVersion).WaitAsync(ct)
            ?? throw new InvalidOperationException("A post that may create its queue found no queue.");
    }

    /// <summary>
    /// One page of messages in queue order after <see cref="MessageQuery.AfterSeq"/>. Delayed messages are hidden
    /// unless <see cref="MessageQuery.IncludeDelayed"/> or the queue is no (longer a) delayed queue: Zaqar forces
    /// include_delayed when the queue has no default delay (<see cref="QueueSettings.DefaultMessageDelay"/>, never 0 when
    /// set; zaqar-v2-api.md section 3.2). The queue's column is read here, so a listing stays one round trip.
    /// </summary>
    public async Task<IReadOnlyList<(long Seq, StoredMessage Message)>> ListAsync(
        QueueRef queue, MessageQuery query, DateTime now, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var cmd = await PreparedCommand.OpenAsync(route.Target.DataSource,
            $"""
            SELECT m.seq, {Columns}
            FROM messages m
            WHERE m.queue_id = {QueueIdSql}
              AND m.seq > @after
              AND m.expires_at > @now
              AND (@include_claimed OR m.claim_expires_at IS NULL OR m.claim_expires_at <= @now)
              AND (@include_delayed OR m.visible_at <= @now OR COALESCE(
                    (SELECT q.default_message_delay IS NULL FROM queues q WHERE q.id = m.queue_id), true))
              AND (@echo OR m.client_id IS DISTINCT FROM @client)
            ORDER BY m.seq
            LIMIT @limit
            """, ct);
        QueueStore.AddQueue(cmd.Parameters, queue);
        cmd.Parameters.Add(new NpgsqlParameter<long>("after", query.AfterSeq));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        cmd.Parameters.Add(new NpgsqlParameter<bool>("include_claimed", query.IncludeClaimed));
        cmd.Parameters.Add(new NpgsqlParameter<bool>("include_delayed", query.IncludeDelayed));
        cmd.Parameters.Add(new NpgsqlParameter<bool>("echo", query.Echo));
        cmd.Parameters.Add(new NpgsqlParameter("client", NpgsqlDbType.Text) { Value = (object?)query.ClientId ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", query.Limit));
        var page = new List<(long, StoredMessage)>(query.Limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            page.Add((reader.GetInt64(0), ReadMessage(reader, 1)));
        }
        return page;
    }

    /// <summary>The live (unexpired) messages among <paramref name="ids"/>, in queue order; unknown ids are skipped.</summary>
    public async Task<IReadOnlyList<StoredMessage>> GetManyAsync(
        QueueRef queue, IReadOnlyList<Guid> ids, DateTime now, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var cmd = await PreparedCommand.OpenAsync(route.Target.DataSource,
            $"""
            SELECT {Columns}
            FROM messages m
            WHERE m.queue_id = {QueueIdSql}
              AND m.seq = ANY(@seqs) AND m.id = ANY(@ids)
              AND m.expires_at > @now
            ORDER BY m.seq
            """, ct);
        QueueStore.AddQueue(cmd.Parameters, queue);
        AddIds(cmd.Parameters, ids);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        return await ReadMessagesAsync(cmd, ct);
    }

    /// <summary>
    /// Deletes one message, if the claim rules allow it: without a claim id only an unclaimed message; with one,
    /// only a message held by that live claim. Reports what it found so the caller can say why it refused.
    /// </summary>
    public async Task<MessageDeleteOutcome> DeleteAsync(
        QueueRef queue, Guid id, Guid? claimId, DateTime now, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var cmd = await PreparedCommand.OpenAsync(route.Target.DataSource,
            $"""
            WITH t AS (
                SELECT m.queue_id, m.seq,
                       CASE WHEN m.claim_expires_at > @now THEN m.claim_id END AS live_claim
                FROM messages m
                WHERE m.queue_id = {QueueIdSql} AND m.seq = @seq AND m.id = @id AND m.expires_at > @now
                FOR UPDATE),
            d AS (
                DELETE FROM messages m USING t
                WHERE m.queue_id = t.queue_id AND m.seq = t.seq
                  AND t.live_claim IS NOT DISTINCT FROM @claim
                RETURNING 1)
            SELECT t.live_claim,
                   EXISTS (SELECT 1 FROM d),
                   EXISTS (SELECT 1 FROM claims c WHERE c.id = @claim AND c.queue_id = t.queue_id AND c.expires_at > @now)
            FROM t
            """, ct);
        QueueStore.AddQueue(cmd.Parameters, queue);
        cmd.Parameters.Add(new NpgsqlParameter<long>("seq", MessageIds.SeqOf(id)));
        cmd.Parameters.Add(new NpgsqlParameter<Guid>("id", id));
        cmd.Parameters.Add(new NpgsqlParameter("claim", NpgsqlDbType.Uuid) { Value = claimId.HasValue ? claimId.Value : DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return new MessageDeleteOutcome(Found: false, Deleted: false, LiveClaimId: null, GivenClaimIsLive: false);
        }
        return new MessageDeleteOutcome(
            Found: true,
            Deleted: reader.GetBoolean(1),
            LiveClaimId: reader.IsDBNull(0) ? null : reader.GetGuid(0),
            GivenClaimIsLive: reader.GetBoolean(2));
    }

    /// <summary>
    /// Deletes the listed messages. With <paramref name="claimIds"/>, only messages held by one of those live
    /// claims are deleted; without, any listed message is, claimed or not (Zaqar's bulk delete).
    /// </summary>
    public async Task<int> DeleteManyAsync(
        QueueRef queue, IReadOnlyList<Guid> ids, IReadOnlyList<Guid>? claimIds, DateTime now, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var cmd = await PreparedCommand.OpenAsync(route.Target.DataSource,
            $"""
            DELETE FROM messages m
            WHERE m.queue_id = {QueueIdSql}
              AND m.seq = ANY(@seqs) AND m.id = ANY(@ids)
              AND (@claims::uuid[] IS NULL OR (m.claim_id = ANY(@claims) AND m.claim_expires_at > @now))
            """, ct);
        QueueStore.AddQueue(cmd.Parameters, queue);
        AddIds(cmd.Parameters, ids);
        cmd.Parameters.Add(new NpgsqlParameter("claims", NpgsqlDbType.Array | NpgsqlDbType.Uuid)
        {
            Value = claimIds is null ? DBNull.Value : claimIds.ToArray(),
        });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Removes and returns up to <paramref name="limit"/> claimable messages, oldest first.</summary>
    public Task<IReadOnlyList<StoredMessage>> PopAsync(QueueRef queue, int limit, DateTime now, CancellationToken ct) =>
        PopAsync(queue, limit, now, popped => popped, ct);

    /// <summary>
    /// Removes up to <paramref name="limit"/> claimable messages, oldest first, and returns <paramref name="answer"/> of
    /// them. The answer is built before the removal commits: if it throws, nothing is removed (issue 10: a pop whose answer
    /// failed after commit lost its messages).
    /// </summary>
    public async Task<T> PopAsync<T>(
        QueueRef queue, int limit, DateTime now, Func<IReadOnlyList<StoredMessage>, T> answer, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var connection = await route.Target.DataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Not cancellable once sent, as ClaimStore.CreateAsync explains: a removal runs to commit, or to rollback.
        await using var cmd = new NpgsqlCommand(
            $"""
            WITH c AS (
                SELECT m.queue_id, m.seq FROM messages m
                WHERE m.queue_id = {QueueIdSql}
                  AND m.expires_at > @now AND m.visible_at <= @now
                  AND (m.claim_expires_at IS NULL OR m.claim_expires_at <= @now)
                ORDER BY m.seq
                LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            DELETE FROM messages m USING c
            WHERE m.queue_id = c.queue_id AND m.seq = c.seq
            RETURNING m.seq, {Columns}
            """, connection, transaction);
        QueueStore.AddQueue(cmd.Parameters, queue);
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        var popped = new List<(long Seq, StoredMessage Message)>(limit);
        await PreparedCommand.PrepareAsync(cmd);
        await using (var reader = await cmd.ExecuteReaderAsync(CancellationToken.None))
        {
            while (await reader.ReadAsync(CancellationToken.None))
            {
                popped.Add((reader.GetInt64(0), ReadMessage(reader, 1)));
            }
        }
        popped.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        var result = answer(popped.ConvertAll(p => p.Message));
        await transaction.CommitAsync(CancellationToken.None);
        return result;
    }

    internal static void AddIds(NpgsqlParameterCollection parameters, IReadOnlyList<Guid> ids)
    {
        var seqs = new long[ids.Count];
        var guids = new Guid[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            guids[i] = ids[i];
            seqs[i] = MessageIds.SeqOf(ids[i]);
        }
        parameters.Add(new NpgsqlParameter<long[]>("seqs", seqs));
        parameters.Add(new NpgsqlParameter<Guid[]>("ids", guids));
    }

    internal static async Task<List<StoredMessage>> ReadMessagesAsync(PreparedCommand cmd, CancellationToken ct)
    {
        var messages = new List<StoredMessage>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            messages.Add(ReadMessage(reader, 0));
        }
        return messages;
    }

    /// <summary>Reads the <see cref="Columns"/> starting at <paramref name="first"/>.</summary>
    internal static StoredMessage ReadMessage(DbDataReader reader, int first) => new(
        Id: reader.GetGuid(first),
        Body: reader.GetString(first + 1),
        Ttl: reader.GetInt32(first + 2),
        CreatedAt: reader.GetDateTime(first + 3),
        ExpiresAt: reader.GetDateTime(first + 4),
        ClaimId: reader.IsDBNull(first + 5) ? null : reader.GetGuid(first + 5),
        ClaimCount: reader.GetInt32(first + 6),
        Encrypted: reader.GetBoolean(first + 7));

    // Issue 13 item 1 (recovery), kept apart from the methods above so merges stay easy.

    /// <summary>
    /// One page of a resuming subscriber's backlog: the live messages after position <paramref name="afterSeq"/>, claimed
    /// or not, whoever posted them, in position order, still-delayed ones marked <see cref="HistoryMessage.Hidden"/>;
    /// with the queue's last position (0 when the queue doesn't exist), read at the same snapshot.
    /// </summary>
    /// <remarks>
    /// Only a message posted with a delay can be still delayed: one posted without, whose creation time (the poster's
    /// clock, taken before its commit) is later than <paramref name="now"/>, is visible, not hidden.
    /// </remarks>
    public async Task<MessageHistoryPage> ReadHistoryAsync(QueueRef queue, long afterSeq, DateTime now, int limit, CancellationToken ct)
    {
        var route = await router.RouteAsync(queue, ct);
        await using var cmd = await PreparedCommand.OpenAsync(route.Target.DataSource,
            """
            SELECT q.last_seq, m.seq, m.id, m.body::text, m.ttl, m.created_at, m.visible_at > m.created_at AND m.visible_at > @now, m.encrypted
            FROM queues q
            LEFT JOIN LATERAL (
                SELECT * FROM messages m
                WHERE m.queue_id = q.id AND m.seq > @after AND m.expires_at > @now
                ORDER BY m.seq
                LIMIT @limit) m ON true
            WHERE q.project = @project AND q.kind = @kind AND q.name = @name
            ORDER BY m.seq
            """, ct);
        QueueStore.AddQueue(cmd.Parameters, queue);
        cmd.Parameters.Add(new NpgsqlParameter<long>("after", afterSeq));
        cmd.Parameters.Add(new NpgsqlParameter<DateTime>("now", now));
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var messages = new List<HistoryMessage>(limit);
        long lastSeq = 0;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            lastSeq = reader.GetInt64(0);
            if (!reader.IsDBNull(1))
            {
                messages.Add(new HistoryMessage(
                    reader.GetInt64(1), reader.GetGuid(2), reader.GetString(3), reader.GetInt32(4), reader.GetDateTime(5),
                    Hidden: reader.GetBoolean(6), Encrypted: reader.GetBoolean(7)));
            }
        }
        return new MessageHistoryPage(lastSeq, messages);
    }
}

/// <summary>A page of <see cref="MessageStore.ReadHistoryAsync"/>.</summary>
public sealed record MessageHistoryPage(long LastSeq, IReadOnlyList<HistoryMessage> Messages);

/// <summary>A message of a backlog page; <c>Hidden</c>: its delay has not passed yet.</summary>
public sealed record HistoryMessage(long Seq, Guid Id, string Body, int Ttl, DateTime CreatedAt, bool Hidden, bool Encrypted);
