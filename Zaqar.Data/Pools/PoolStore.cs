using System.Data.Common;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Zaqar.Data.Pools;

/// <summary>
/// Pools and flavors in the primary database's catalog (issue #6): what the admin routes read and write, and what
/// <see cref="PoolRegistry"/> loads. Every write announces itself on <see cref="PoolingOptions.Channel"/> in its own
/// transaction, so other nodes reload their pool list at once.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class PoolStore(NpgsqlDataSource primary, IOptions<PoolingOptions> options)
{
    private const string Columns = "p.name, p.uri, p.weight, p.flavor, p.options::text";

    private const string FlavorSql =
        """
        SELECT f.name, coalesce(array_agg(p.name ORDER BY p.name) FILTER (WHERE p.name IS NOT NULL), '{}')
        FROM flavors f LEFT JOIN pools p ON p.flavor = f.name
        """;

    /// <summary>Every pool and every flavor name, for the registry.</summary>
    public async Task<(IReadOnlyList<PoolInfo> Pools, IReadOnlyList<string> Flavors)> LoadAsync(CancellationToken ct = default)
    {
        await using var batch = primary.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {Columns} FROM pools p ORDER BY p.name"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT name FROM flavors ORDER BY name"));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var pools = new List<PoolInfo>();
        while (await reader.ReadAsync(ct))
        {
            pools.Add(ReadPool(reader));
        }
        await reader.NextResultAsync(ct);
        var flavors = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            flavors.Add(reader.GetString(0));
        }
        return (pools, flavors);
    }

    /// <summary>One page of pools in name order after <paramref name="marker"/>.</summary>
    public async Task<IReadOnlyList<PoolInfo>> ListPoolsAsync(string? marker, int limit, CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand($"SELECT {Columns} FROM pools p WHERE p.name > @marker ORDER BY p.name LIMIT @limit");
        cmd.Parameters.Add(new NpgsqlParameter<string>("marker", marker ?? string.Empty));
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var pools = new List<PoolInfo>(limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            pools.Add(ReadPool(reader));
        }
        return pools;
    }

    public async Task<PoolInfo?> GetPoolAsync(string name, CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand($"SELECT {Columns} FROM pools p WHERE p.name = @name");
        cmd.Parameters.Add(new NpgsqlParameter<string>("name", name));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadPool(reader) : null;
    }

    /// <summary>Registers the pool, or replaces every field of the pool of that name (Zaqar's PUT is an upsert).</summary>
    public async Task<PoolWriteOutcome> PutPoolAsync(PoolInfo pool, CancellationToken ct = default)
    {
        await using var batch = primary.CreateBatch();
        var put = new NpgsqlBatchCommand(
            """
            INSERT INTO pools (name, uri, weight, flavor, options) VALUES (@name, @uri, @weight, @flavor, @options)
            ON CONFLICT (name) DO UPDATE SET uri = EXCLUDED.uri, weight = EXCLUDED.weight, flavor = EXCLUDED.flavor, options = EXCLUDED.options
            """);
        put.Parameters.Add(new NpgsqlParameter<string>("name", pool.Name));
        put.Parameters.Add(new NpgsqlParameter<string>("uri", pool.Uri));
        put.Parameters.Add(new NpgsqlParameter<long>("weight", pool.Weight));
        put.Parameters.Add(new NpgsqlParameter("flavor", NpgsqlDbType.Varchar) { Value = (object?)pool.Flavor ?? DBNull.Value });
        put.Parameters.Add(new NpgsqlParameter<string>("options", NpgsqlDbType.Jsonb) { TypedValue = pool.Options });
        batch.BatchCommands.Add(put);
        batch.BatchCommands.Add(Notify(CatalogChanges.Pools));
        return await WritePoolAsync(async () =>
        {
            await batch.ExecuteNonQueryAsync(ct);
            return PoolWriteOutcome.Written;
        });
    }

    /// <summary>Changes some fields of a pool; returns the pool after the change, or why it could not.</summary>
    public async Task<(PoolWriteOutcome Outcome, PoolInfo? Pool)> UpdatePoolAsync(string name, PoolChanges changes, CancellationToken ct = default)
    {
        await using var batch = primary.CreateBatch();
        var update = new NpgsqlBatchCommand(
            $"""
            UPDATE pools p SET uri = coalesce(@uri, p.uri), weight = coalesce(@weight, p.weight),
                flavor = CASE WHEN @set_flavor THEN @flavor ELSE p.flavor END, options = coalesce(@options, p.options)
            WHERE p.name = @name
            RETURNING {Columns}
            """);
        update.Parameters.Add(new NpgsqlParameter<string>("name", name));
        update.Parameters.Add(new NpgsqlParameter("uri", NpgsqlDbType.Varchar) { Value = (object?)changes.Uri ?? DBNull.Value });
        update.Parameters.Add(new NpgsqlParameter("weight", NpgsqlDbType.Bigint) { Value = changes.Weight is { } w ? w : DBNull.Value });
        update.Parameters.Add(new NpgsqlParameter<bool>("set_flavor", changes.SetFlavor));
        update.Parameters.Add(new NpgsqlParameter("flavor", NpgsqlDbType.Varchar) { Value = (object?)changes.Flavor ?? DBNull.Value });
        update.Parameters.Add(new NpgsqlParameter("options", NpgsqlDbType.Jsonb) { Value = (object?)changes.Options ?? DBNull.Value });
        batch.BatchCommands.Add(update);
        batch.BatchCommands.Add(Notify(CatalogChanges.Pools));
        PoolInfo? updated = null;
        var outcome = await WritePoolAsync(async () =>
        {
            await using var reader = await batch.ExecuteReaderAsync(ct);
            updated = await reader.ReadAsync(ct) ? ReadPool(reader) : null;
            return updated is null ? PoolWriteOutcome.NotFound : PoolWriteOutcome.Written;
        });
        return (outcome, updated);
    }

    /// <summary>
    /// Deletes the pool unless a flavor or a queue still uses it. The pool's row is locked first: a queue being placed
    /// on it at the same time waits (its catalogue entry references the row), so the count of queues is exact.
    /// </summary>
    public async Task<PoolDeleteOutcome> DeletePoolAsync(string name, CancellationToken ct = default)
    {
        await using var conn = await primary.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var check = new NpgsqlCommand(
            "SELECT flavor, (SELECT count(*) FROM catalogue WHERE pool = @name) FROM pools WHERE name = @name FOR UPDATE", conn, tx))
        {
            check.Parameters.Add(new NpgsqlParameter<string>("name", name));
            await using var reader = await check.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return default;
            }
            var (flavor, queues) = (reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetInt64(1));
            if (flavor is not null || queues > 0)
            {
                return new PoolDeleteOutcome(Refused: true, flavor, queues);
            }
        }
        await using (var delete = new NpgsqlCommand("DELETE FROM pools WHERE name = @name; SELECT pg_notify(@channel, @payload)", conn, tx))
        {
            delete.Parameters.Add(new NpgsqlParameter<string>("name", name));
            AddNotify(delete.Parameters, CatalogChanges.Pools);
            await delete.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return default;
    }

    /// <summary>One page of flavors in name order after <paramref name="marker"/>, with their pools.</summary>
    public async Task<IReadOnlyList<FlavorInfo>> ListFlavorsAsync(string? marker, int limit, CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand($"{FlavorSql} WHERE f.name > @marker GROUP BY f.name ORDER BY f.name LIMIT @limit");
        cmd.Parameters.Add(new NpgsqlParameter<string>("marker", marker ?? string.Empty));
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        return await ReadFlavorsAsync(cmd, ct);
    }

    public async Task<FlavorInfo?> GetFlavorAsync(string name, CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand($"{FlavorSql} WHERE f.name = @name GROUP BY f.name");
        cmd.Parameters.Add(new NpgsqlParameter<string>("name", name));
        return (await ReadFlavorsAsync(cmd, ct)).FirstOrDefault();
    }

    /// <summary>
    /// Makes <paramref name="pools"/> the flavor's pool list: creates the flavor unless <paramref name="mustExist"/>, moves
    /// the listed pools to it (a pool serves one flavor) and takes it off the others. Nothing changes when the flavor is
    /// missing (with <paramref name="mustExist"/>) or a listed pool does not exist.
    /// </summary>
    public async Task<FlavorWriteOutcome> PutFlavorAsync(string name, IReadOnlyList<string> pools, bool mustExist, CancellationToken ct = default)
    {
        await using var conn = await primary.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var check = new NpgsqlCommand(
            """
            SELECT EXISTS (SELECT 1 FROM flavors WHERE name = @name),
                   (SELECT x FROM unnest(@pools) WITH ORDINALITY AS l(x, i) WHERE NOT EXISTS (SELECT 1 FROM pools WHERE name = x) ORDER BY i LIMIT 1)
            """, conn, tx))
        {
            check.Parameters.Add(new NpgsqlParameter<string>("name", name));
            check.Parameters.Add(new NpgsqlParameter<string[]>("pools", pools.ToArray()));
            await using var reader = await check.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            var (found, missing) = (reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetString(1));
            if ((mustExist && !found) || missing is not null)
            {
                return new FlavorWriteOutcome(found, missing);
            }
        }
        await using (var write = new NpgsqlCommand(
            """
            INSERT INTO flavors (name) VALUES (@name) ON CONFLICT DO NOTHING;
            UPDATE pools SET flavor = NULL WHERE flavor = @name AND NOT (name = ANY(@pools));
            UPDATE pools SET flavor = @name WHERE name = ANY(@pools);
            SELECT pg_notify(@channel, @payload);
            """, conn, tx))
        {
            write.Parameters.Add(new NpgsqlParameter<string>("name", name));
            write.Parameters.Add(new NpgsqlParameter<string[]>("pools", pools.ToArray()));
            AddNotify(write.Parameters, CatalogChanges.Pools);
            await write.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return new FlavorWriteOutcome(Found: true, MissingPool: null);
    }

    /// <summary>Deletes the flavor; its pools serve no flavor afterwards (the foreign key clears them).</summary>
    public async Task DeleteFlavorAsync(string name, CancellationToken ct = default)
    {
        await using var cmd = primary.CreateCommand("DELETE FROM flavors WHERE name = @name; SELECT pg_notify(@channel, @payload)");
        cmd.Parameters.Add(new NpgsqlParameter<string>("name", name));
        AddNotify(cmd.Parameters, CatalogChanges.Pools);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<PoolWriteOutcome> WritePoolAsync(Func<Task<PoolWriteOutcome>> write)
    {
        try
        {
            return await write();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "ux_pools_uri")
        {
            return PoolWriteOutcome.UriInUse;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation && ex.ConstraintName == "fk_pools_flavors")
        {
            return PoolWriteOutcome.FlavorMissing;
        }
    }

    private NpgsqlBatchCommand Notify(string payload)
    {
        var notify = new NpgsqlBatchCommand("SELECT pg_notify(@channel, @payload)");
        AddNotify(notify.Parameters, payload);
        return notify;
    }

    private void AddNotify(NpgsqlParameterCollection parameters, string payload)
    {
        parameters.Add(new NpgsqlParameter<string>("channel", options.Value.Channel));
        parameters.Add(new NpgsqlParameter<string>("payload", payload));
    }

    private static async Task<IReadOnlyList<FlavorInfo>> ReadFlavorsAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var flavors = new List<FlavorInfo>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            flavors.Add(new FlavorInfo(reader.GetString(0), reader.GetFieldValue<string[]>(1)));
        }
        return flavors;
    }

    private static PoolInfo ReadPool(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4));
}
