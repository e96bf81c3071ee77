using System.Diagnostics;
using Npgsql;

namespace Zaqar.Bench;

/// <summary>
/// Brings the bench's database to rest before each measured scenario (issue 14): <c>VACUUM (ANALYZE)</c>, then a
/// <c>CHECKPOINT</c>.
/// </summary>
/// <remarks>
/// Without it a scenario paid for the ones before it: the storage-alone posts leave about a million rows behind, and an
/// autovacuum worker was seen busy through the whole fan-out that followed them (about a minute), which put the fan-out's
/// p99 at 95–156 ms in full runs against 41–68 ms run alone; another ran through the hub's post of one after the claim
/// scenarios' deletes. Plain SQL's scenarios run first, on a fresh database, so only the service's paid. Dead rows a
/// scenario makes itself (a claim's deletes) are still its own to pay for: autovacuum may start during it as in
/// production. Skipped against service nodes elsewhere without <c>--connection</c>; a CHECKPOINT the role may not run
/// is skipped.
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
