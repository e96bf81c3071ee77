using System.Diagnostics;
using Npgsql;

namespace Zaqar.Bench;

/// <summary>
/// Brings the bench's database to rest before the latency scenarios (push, fan-out; issue 14): <c>VACUUM (ANALYZE)</c>,
/// then a <c>CHECKPOINT</c>.
/// </summary>
/// <remarks>
/// They follow the throughput scenarios, which leave over a million rows and as many dead ones behind: an autovacuum
/// worker was seen busy through the whole fan-out (about a minute), and push p99 from the post's send was 18–20 ms in
/// three full runs against 3.1–3.3 ms in three with this step. Not before each throughput scenario: tried, and the
/// hub's post of one measured 7.1k–9.5k msg/s in three runs against 11.5k–14.5k without (after a checkpoint, the first
/// change to each page writes the whole page to the WAL; not isolated). Skipped against service nodes elsewhere without
/// <c>--connection</c>; a CHECKPOINT the role may not run is skipped.
/// </remarks>
internal static class DatabaseSettle
{
    public static async Task RunAsync(string connectionString)
    {
        if (connectionString.Length == 0)
        {
            return;
        }
        var started = Stopwatch.GetTimestamp();
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, CommandTimeout = 600 };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using (var vacuum = new NpgsqlCommand("VACUUM (ANALYZE)", connection))
        {
            await vacuum.ExecuteNonQueryAsync();
        }
        try
        {
            await using var checkpoint = new NpgsqlCommand("CHECKPOINT", connection);
            await checkpoint.ExecuteNonQueryAsync();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // A database of someone else's (--connection): the VACUUM is what matters most.
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (elapsed > TimeSpan.FromSeconds(2))
        {
            Console.WriteLine($"  (database settled first: VACUUM and CHECKPOINT, {elapsed.TotalSeconds:N0} s)");
        }
    }
}
