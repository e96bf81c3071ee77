using Npgsql;
using NpgsqlTypes;

namespace Zaqar.Bench;

/// <summary>
/// The floor to compare with: the same work as plain SQL on the same PostgreSQL, with no HTTP, no API rules
/// and no per-queue ordering: a bigserial table, a 10-row insert, and a SKIP LOCKED claim plus delete.
/// </summary>
internal sealed class SqlBaseline(string connectionString, BenchOptions options) : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource = new NpgsqlDataSourceBuilder(connectionString)
    {
        ConnectionStringBuilder = { MaxAutoPrepare = 16, AutoPrepareMinUsages = 2 },
    }.Build();

    public async Task SetUpAsync()
    {
        await using var cmd = _dataSource.CreateCommand(
            """
            DROP TABLE IF EXISTS bench_plain;
            CREATE TABLE bench_plain (
                id bigserial PRIMARY KEY, queue text NOT NULL, body json NOT NULL,
                claim_id uuid, claim_expires_at timestamptz, expires_at timestamptz NOT NULL)
            """);
        await cmd.ExecuteNonQueryAsync();
    }

    public Task<ScenarioResult> PostBatchesAsync()
    {
        var bodies = Enumerable.Repeat(Payloads.Body, 10).ToArray();
        return LoadRunner.RunAsync("plain SQL: insert 10", options.Connections, options.Duration, async _ =>
        {
            await using var cmd = _dataSource.CreateCommand(
                "INSERT INTO bench_plain (queue, body, expires_at) SELECT 'q', b, now() + interval '1 hour' FROM unnest(@bodies) b");
            cmd.Parameters.Add(new NpgsqlParameter<string[]>("bodies", NpgsqlDbType.Array | NpgsqlDbType.Json) { TypedValue = bodies });
            await cmd.ExecuteNonQueryAsync();
            return 10;
        });
    }

    /// <summary>
    /// Issue 14 item 2's floor: one row per statement, each its own transaction (autocommit), from every worker at once,
    /// so each commit waits for its own WAL flush (PostgreSQL may share a flush among commits that meet there).
    /// </summary>
    public Task<ScenarioResult> PostOnesAsync() =>
        LoadRunner.RunAsync("plain SQL: insert 1 per transaction", options.Connections, options.Duration, async _ =>
        {
            await using var cmd = _dataSource.CreateCommand(
                "INSERT INTO bench_plain (queue, body, expires_at) VALUES ('q', @body::json, now() + interval '1 hour')");
            cmd.Parameters.Add(new NpgsqlParameter<string>("body", Payloads.Body));
            await cmd.ExecuteNonQueryAsync();
            return 1;
        });

    public async Task<ScenarioResult> ClaimAndDeleteAsync()
    {
        // The posts before it leave enough rows to claim; run without them (--only), it fills the table itself, with
        // room for plain SQL's claim rate on this machine (15k-19k msg/s) over the warm-up and the run.
        await EnsureClaimableAsync((int)((options.Duration + LoadRunner.Warmup).TotalSeconds * 25_000 * 1.2));
        return await LoadRunner.RunAsync("plain SQL: claim 10 + delete", options.Connections, options.Duration, async _ =>
        {
            var ids = new List<long>(10);
            await using (var claim = _dataSource.CreateCommand(
                """
                UPDATE bench_plain SET claim_id = gen_random_uuid(), claim_expires_at = now() + interval '5 minutes'
                WHERE id IN (SELECT id FROM bench_plain
                             WHERE queue = 'q' AND expires_at > now() AND (claim_expires_at IS NULL OR claim_expires_at <= now())
                             ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED)
                RETURNING id, body
                """))
            {
                await using var reader = await claim.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    ids.Add(reader.GetInt64(0));
                }
            }
            if (ids.Count == 0)
            {
                return 0;
            }
            await using var delete = _dataSource.CreateCommand("DELETE FROM bench_plain WHERE id = ANY(@ids)");
            delete.Parameters.Add(new NpgsqlParameter<long[]>("ids", ids.ToArray()));
            await delete.ExecuteNonQueryAsync();
            return ids.Count;
        });
    }

    private async Task EnsureClaimableAsync(int rows)
    {
        await using var cmd = _dataSource.CreateCommand(
            """
            INSERT INTO bench_plain (queue, body, expires_at)
            SELECT 'q', @body::json, now() + interval '1 hour'
            FROM generate_series(1, @rows - (SELECT count(*) FROM bench_plain WHERE queue = 'q' AND claim_id IS NULL))
            """);
        cmd.Parameters.Add(new NpgsqlParameter<string>("body", Payloads.Body));
        cmd.Parameters.Add(new NpgsqlParameter<int>("rows", rows));
        await cmd.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await using (var cmd = _dataSource.CreateCommand("DROP TABLE IF EXISTS bench_plain"))
        {
            await cmd.ExecuteNonQueryAsync();
        }
        await _dataSource.DisposeAsync();
    }
}
