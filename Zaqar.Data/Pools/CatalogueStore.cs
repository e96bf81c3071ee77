using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Zaqar.Data.Stores;

namespace Zaqar.Data.Pools;

/// <summary>
/// The catalogue in the primary database (issue #6): which pool each queue and topic lives on. It is the source of truth
/// of routing: <see cref="PooledQueueRouter"/> caches it, and reads it again before anything that may create a queue.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class CatalogueStore(NpgsqlDataSource primary, IOptions<PoolingOptions> options)
{
    public async Task<CatalogueEntry?> GetAsync(QueueRef queue, CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand("SELECT pool, listed FROM catalogue WHERE project = @project AND kind = @kind AND name = @name");
        QueueStore.AddQueue(cmd.Parameters, queue);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new CatalogueEntry(reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetBoolean(1)) : null;
    }

    /// <summary>
    /// Registers the queue on <paramref name="pool"/> (null: the primary database) unless it is registered already, and
    /// lists it either way. Returns the pool the queue is registered on: the first registration wins a race.
    /// </summary>
    public async Task<string?> RegisterAsync(QueueRef queue, string? pool, CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand(
            """
            INSERT INTO catalogue AS c (project, kind, name, pool, listed) VALUES (@project, @kind, @name, @pool, true)
            ON CONFLICT (project, kind, name) DO UPDATE SET listed = true
            RETURNING c.pool
            """);
        QueueStore.AddQueue(cmd.Parameters, queue);
        cmd.Parameters.Add(new NpgsqlParameter("pool", NpgsqlDbType.Varchar) { Value = (object?)pool ?? DBNull.Value });
        return await cmd.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>A queue is being deleted: it leaves listings first (it keeps its pool until <see cref="DeregisterAsync"/>).</summary>
    public async Task UnlistAsync(QueueRef queue, CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand("UPDATE catalogue SET listed = false WHERE project = @project AND kind = @kind AND name = @name");
        QueueStore.AddQueue(cmd.Parameters, queue);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The queue's row is gone: its entry goes too, unless the queue came back meanwhile (listed again) or
    /// <paramref name="keepPinned"/> (its subscriptions survive on its pool). Every node is told in the same transaction.
    /// </summary>
    public async Task DeregisterAsync(QueueRef queue, bool keepPinned, CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand(
            """
            DELETE FROM catalogue WHERE project = @project AND kind = @kind AND name = @name AND NOT listed AND NOT @keep;
            SELECT pg_notify(@channel, @payload);
            """);
        QueueStore.AddQueue(cmd.Parameters, queue);
        cmd.Parameters.Add(new NpgsqlParameter<bool>("keep", keepPinned));
        cmd.Parameters.Add(new NpgsqlParameter<string>("channel", options.Value.Channel));
        cmd.Parameters.Add(new NpgsqlParameter<string>("payload", CatalogChanges.Queue(queue)));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One page of a project's listed queues in name order after <paramref name="marker"/>, with their pools.</summary>
    public async Task<IReadOnlyList<(string Name, string? Pool)>> ListAsync(
        string project, QueueKind kind, string? marker, int limit, string? nameContains, CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand(
            """
            SELECT name, pool FROM catalogue
            WHERE project = @project AND kind = @kind AND listed AND name > @marker
              AND (@contains::text IS NULL OR strpos(name, @contains) > 0)
            ORDER BY name
            LIMIT @limit
            """);
        cmd.Parameters.Add(new NpgsqlParameter<string>("project", project));
        cmd.Parameters.Add(new NpgsqlParameter<short>("kind", (short)kind));
        cmd.Parameters.Add(new NpgsqlParameter<string>("marker", marker ?? string.Empty));
        cmd.Parameters.Add(new NpgsqlParameter("contains", NpgsqlDbType.Text) { Value = (object?)nameContains ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var page = new List<(string, string?)>(limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            page.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }
        return page;
    }

    public async Task<long> CountAsync(string project, QueueKind kind, string? nameContains, CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand(
            """
            SELECT count(*) FROM catalogue
            WHERE project = @project AND kind = @kind AND listed AND (@contains::text IS NULL OR strpos(name, @contains) > 0)
            """);
        cmd.Parameters.Add(new NpgsqlParameter<string>("project", project));
        cmd.Parameters.Add(new NpgsqlParameter<short>("kind", (short)kind));
        cmd.Parameters.Add(new NpgsqlParameter("contains", NpgsqlDbType.Text) { Value = (object?)nameContains ?? DBNull.Value });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Registers the primary database's queues the catalogue does not know yet (created before pooling was turned on),
    /// so they stay where they are rather than being placed again. Returns how many.
    /// </summary>
    public async Task<int> AdoptPrimaryQueuesAsync(CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand(
            """
            INSERT INTO catalogue (project, kind, name, pool, listed)
            SELECT q.project, q.kind, q.name, NULL, true FROM queues q
            ON CONFLICT (project, kind, name) DO NOTHING
            """);
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
