using System.Diagnostics;
using System.Runtime;
using Npgsql;

namespace Zaqar.Bench;

/// <summary>
/// Brings the bench's database and its own process to rest before the latency scenarios (push, fan-out; issue 14):
/// <c>VACUUM (ANALYZE)</c>, then a <c>CHECKPOINT</c>; then a full, compacting garbage collection.
/// </summary>
/// <remarks>
/// <para>
/// They follow the throughput scenarios, which leave over a million rows and as many dead ones behind: an autovacuum
/// worker was seen busy through the whole fan-out (about a minute), and push p99 from the post's send was 18–20 ms in
/// three full runs against 3.1–3.3 ms in three with this step. Not before each throughput scenario: tried, and the
/// hub's post of one measured 7.1k–9.5k msg/s in three runs against 11.5k–14.5k without (after a checkpoint, the first
/// change to each page writes the whole page to the WAL; not isolated). Skipped against service nodes elsewhere without
/// <c>--connection</c>; a CHECKPOINT the role may not run is skipped.
/// </para>
/// <para>
/// The throughput scenarios' clients and service nodes also leave the bench's one process a heap of their garbage
/// (100–190 MiB after the server GC's last collection, 27 MiB live): at the end of a full run, the fan-out's collections
/// paused the process 0.5–0.8 s of its 8 measured seconds against 0.2 s run alone, and its 2-node p99 was 76–196 ms in
/// five runs against 52–72 ms alone. After one full compacting collection, 50 ms in the first run.
/// </para>
/// </remarks>
internal static class LatencySettle
{
    public static async Task RunAsync(string connectionString)
    {
        await DatabaseAsync(connectionString);
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        Console.WriteLine($"  (process settled: a full compacting GC, heap {heap / 1048576.0:N0} -> {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0:N0} MiB)");
    }

    private static async Task DatabaseAsync(string connectionString)
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
