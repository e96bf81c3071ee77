using Microsoft.EntityFrameworkCore;
using Zaqar.Data.Entities;

namespace Zaqar.Data.Presence;

/// <summary>One connection of one node subscribed to one queue or topic.</summary>
public sealed record PresenceMember(QueueRef Queue, string ConnectionId, string ClientId);

/// <summary>A member that joined (<see cref="Joined"/>) or left, and on which node.</summary>
public sealed record PresenceChange(PresenceMember Member, string NodeId, bool Joined);

/// <summary>How many connections of one client are subscribed.</summary>
public readonly record struct PresenceClient(string ClientId, int Connections);

/// <summary>
/// A queue's subscribed connections on live nodes, and (when asked for) its clients in client id order, at most the
/// number asked for (<see cref="ClientsTruncated"/> when there were more).
/// </summary>
public sealed record PresenceCount(int Connections, IReadOnlyList<PresenceClient>? Clients, bool ClientsTruncated);

/// <summary>
/// Where changes are announced, in the transaction that makes them (so an announcement is sent exactly when its change
/// commits): the NOTIFY channel, and the payloads for a list of changes. Null channel: not announced.
/// </summary>
public sealed record PresenceAnnouncer(string? Channel, Func<IReadOnlyList<PresenceChange>, IReadOnlyList<string>> Payloads);

/// <summary>
/// Presence in the primary database (issue 13): each node's heartbeat in <c>cluster_nodes</c>, and one row per connection
/// subscribed to a queue in <c>presence</c>. A node's heartbeat says until when it is alive (now plus its own timeout).
/// Counts read only rows of nodes still alive by that, so a node that died stops counting at once when its time is up,
/// whoever asks; its rows are then removed by the first node that sweeps, which announces them as left.
/// </summary>
/// <remarks>
/// EF Core (issue 12 item 11): the count is LINQ; the writes are SQL through the same context's connection and
/// transaction, because each is one statement EF can't say (an upsert telling insert from update, DELETE ... RETURNING,
/// a set insert from arrays, pg_notify). Times are the database's clock, one clock for every node. Singleton;
/// thread-safe (a context per call).
/// </remarks>
public sealed class PresenceStore(IDbContextFactory<ZaqarDbContext> contexts)
{
    // xmax = 0 only on a row this statement inserted: the node was not there (a first heartbeat, or it was swept as dead).
    private const string TouchSql =
        """
        INSERT INTO cluster_nodes (node_id, started_at, seen_at, expires_at) VALUES ({0}, now(), now(), now() + {1})
        ON CONFLICT (node_id) DO UPDATE SET seen_at = now(), expires_at = now() + {1}
        RETURNING (xmax = 0) AS "Value"
        """;

    private const string LeaveSql =
        """
        DELETE FROM presence p USING unnest({1}, {2}, {3}, {4}) AS l(project, kind, queue, connection_id)
        WHERE p.node_id = {0} AND p.project = l.project AND p.kind = l.kind AND p.queue = l.queue AND p.connection_id = l.connection_id
        RETURNING p.project AS "Project", p.kind AS "Kind", p.queue AS "Queue", p.node_id AS "NodeId", p.connection_id AS "ConnectionId", p.client_id AS "ClientId"
        """;

    private const string JoinSql =
        """
        INSERT INTO presence (project, kind, queue, node_id, connection_id, client_id, joined_at)
        SELECT j.project, j.kind, j.queue, {0}, j.connection_id, j.client_id, now() FROM unnest({1}, {2}, {3}, {4}, {5}) AS j(project, kind, queue, connection_id, client_id)
        ON CONFLICT DO NOTHING
        RETURNING project AS "Project", kind AS "Kind", queue AS "Queue", node_id AS "NodeId", connection_id AS "ConnectionId", client_id AS "ClientId"
        """;

    private const string RemoveNodeSql =
        """
        DELETE FROM presence WHERE node_id = {0}
        RETURNING project AS "Project", kind AS "Kind", queue AS "Queue", node_id AS "NodeId", connection_id AS "ConnectionId", client_id AS "ClientId"
        """;

    // A node that stops: its row and its presence in one statement.
    private const string StopSql = "WITH node AS (DELETE FROM cluster_nodes WHERE node_id = {0}) " + RemoveNodeSql;

    // The rows of the nodes deleted by the CTE: a data-modifying CTE's own changes are not visible to the main statement,
    // so the dead nodes are matched by what the CTE returns.
    private const string SweepSql =
        """
        WITH dead AS (DELETE FROM cluster_nodes WHERE expires_at < now() RETURNING node_id)
        DELETE FROM presence p USING dead WHERE p.node_id = dead.node_id
        RETURNING p.project AS "Project", p.kind AS "Kind", p.queue AS "Queue", p.node_id AS "NodeId", p.connection_id AS "ConnectionId", p.client_id AS "ClientId"
        """;

    /// <summary>
    /// Records the node's heartbeat: alive for <paramref name="timeout"/> from now. False when the node was not known (its
    /// first heartbeat, or it had been swept as dead).
    /// </summary>
    public async Task<bool> TouchAsync(string nodeId, TimeSpan timeout, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return !await TouchAsync(db, nodeId, timeout, ct);
    }

    /// <summary>
    /// Applies a node's joins and leaves (idempotent: a join already there or a leave already gone changes nothing) and
    /// announces those that changed something. Null when the node was not known: nothing is applied, and the node must
    /// <see cref="ReplaceAsync"/> its whole state (the others were told its connections left when it was swept).
    /// </summary>
    public async Task<IReadOnlyList<PresenceChange>?> ApplyAsync(
        string nodeId, TimeSpan timeout, IReadOnlyList<PresenceMember> joins, IReadOnlyList<PresenceMember> leaves, PresenceAnnouncer announcer,
        CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await TouchAsync(db, nodeId, timeout, ct))
        {
            return null;
        }
        var changes = new List<PresenceChange>();
        if (leaves.Count > 0)
        {
            changes.AddRange(await LeaveAsync(db, nodeId, leaves, ct));
        }
        if (joins.Count > 0)
        {
            changes.AddRange(await JoinAsync(db, nodeId, joins, ct));
        }
        await AnnounceAsync(db, announcer, changes, ct);
        await tx.CommitAsync(ct);
        return changes;
    }

    /// <summary>Makes the node's rows exactly <paramref name="members"/>, announcing the difference; the node is then known.</summary>
    public async Task<IReadOnlyList<PresenceChange>> ReplaceAsync(
        string nodeId, TimeSpan timeout, IReadOnlyList<PresenceMember> members, PresenceAnnouncer announcer, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await TouchAsync(db, nodeId, timeout, ct);
        var before = await RowsAsync(db.Database.SqlQueryRaw<PresenceRow>(RemoveNodeSql, nodeId), ct);
        var after = members.Count > 0 ? await JoinAsync(db, nodeId, members, ct) : [];
        var kept = after.Select(c => Key(c.Member)).ToHashSet();
        var was = before.Select(c => Key(c.Member)).ToHashSet();
        var changes = before.Where(c => !kept.Contains(Key(c.Member))).Select(c => c with { Joined = false })
            .Concat(after.Where(c => !was.Contains(Key(c.Member)))).ToList();
        await AnnounceAsync(db, announcer, changes, ct);
        await tx.CommitAsync(ct);
        return changes;
    }

    /// <summary>Removes the nodes whose time is up and their rows, announcing those as left.</summary>
    public Task<IReadOnlyList<PresenceChange>> SweepAsync(PresenceAnnouncer announcer, CancellationToken ct) =>
        RemoveAsync(SweepSql, [], announcer, ct);

    /// <summary>Removes a node that stops (and its rows), announcing those as left.</summary>
    public Task<IReadOnlyList<PresenceChange>> RemoveNodeAsync(string nodeId, PresenceAnnouncer announcer, CancellationToken ct) =>
        RemoveAsync(StopSql, [nodeId], announcer, ct);

    /// <summary>The connections subscribed to <paramref name="queue"/> on live nodes.</summary>
    /// <param name="maxClients">How many clients to list, in byte order of their ids; null lists none.</param>
    public async Task<PresenceCount> CountAsync(QueueRef queue, int? maxClients, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        // DateTime.UtcNow is the database's now(): every node's heartbeat is on that one clock.
        var live = from p in db.Presence
                   join n in db.ClusterNodes on p.NodeId equals n.NodeId
                   where p.Project == queue.Project && p.Kind == queue.Kind && p.Queue == queue.Name && n.ExpiresAt > DateTime.UtcNow
                   select p;
        var connections = await live.CountAsync(ct);
        if (maxClients is not { } max || connections == 0)
        {
            return new PresenceCount(connections, maxClients is null ? null : [], false);
        }
        var clients = await live.GroupBy(p => p.ClientId).OrderBy(g => EF.Functions.Collate(g.Key, "C"))
            .Select(g => new PresenceClient(g.Key, g.Count())).Take(max + 1).ToListAsync(ct);
        var truncated = clients.Count > max;
        return new PresenceCount(connections, truncated ? clients[..max] : clients, truncated);
    }

    /// <returns>True when the node was not known.</returns>
    private static async Task<bool> TouchAsync(ZaqarDbContext db, string nodeId, TimeSpan timeout, CancellationToken ct) =>
        (await db.Database.SqlQueryRaw<bool>(TouchSql, nodeId, timeout).ToListAsync(ct))[0];

    private static Task<List<PresenceChange>> LeaveAsync(ZaqarDbContext db, string nodeId, IReadOnlyList<PresenceMember> leaves, CancellationToken ct) =>
        RowsAsync(db.Database.SqlQueryRaw<PresenceRow>(LeaveSql, nodeId, leaves.Select(m => m.Queue.Project).ToArray(),
            leaves.Select(m => (short)m.Queue.Kind).ToArray(), leaves.Select(m => m.Queue.Name).ToArray(),
            leaves.Select(m => m.ConnectionId).ToArray()), ct, joined: false);

    private static Task<List<PresenceChange>> JoinAsync(ZaqarDbContext db, string nodeId, IReadOnlyList<PresenceMember> joins, CancellationToken ct) =>
        RowsAsync(db.Database.SqlQueryRaw<PresenceRow>(JoinSql, nodeId, joins.Select(m => m.Queue.Project).ToArray(),
            joins.Select(m => (short)m.Queue.Kind).ToArray(), joins.Select(m => m.Queue.Name).ToArray(),
            joins.Select(m => m.ConnectionId).ToArray(), joins.Select(m => m.ClientId).ToArray()), ct, joined: true);

    private async Task<IReadOnlyList<PresenceChange>> RemoveAsync(string sql, object[] arguments, PresenceAnnouncer announcer, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changes = await RowsAsync(db.Database.SqlQueryRaw<PresenceRow>(sql, arguments), ct, joined: false);
        await AnnounceAsync(db, announcer, changes, ct);
        await tx.CommitAsync(ct);
        return changes;
    }

    private static async Task AnnounceAsync(ZaqarDbContext db, PresenceAnnouncer announcer, IReadOnlyList<PresenceChange> changes, CancellationToken ct)
    {
        if (announcer.Channel is null || changes.Count == 0)
        {
            return;
        }
        var payloads = announcer.Payloads(changes).ToArray();
        await db.Database.ExecuteSqlAsync($"SELECT pg_notify({announcer.Channel}, p) FROM unnest({payloads}) AS p", ct);
    }

    private static async Task<List<PresenceChange>> RowsAsync(IQueryable<PresenceRow> rows, CancellationToken ct, bool joined = false) =>
        (await rows.ToListAsync(ct)).ConvertAll(r =>
            new PresenceChange(new PresenceMember(new QueueRef(r.Project, r.Queue, (QueueKind)r.Kind), r.ConnectionId, r.ClientId), r.NodeId, joined));

    private static (QueueRef, string) Key(PresenceMember m) => (m.Queue, m.ConnectionId);

    /// <summary>A presence row as the statements return it.</summary>
    private sealed class PresenceRow
    {
        public string Project { get; init; } = string.Empty;

        public short Kind { get; init; }

        public string Queue { get; init; } = string.Empty;

        public string NodeId { get; init; } = string.Empty;

        public string ConnectionId { get; init; } = string.Empty;

        public string ClientId { get; init; } = string.Empty;
    }
}
