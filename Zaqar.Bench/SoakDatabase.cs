using Npgsql;

namespace Zaqar.Bench;

/// <summary>One table's size and tuples: heap, total (heap, indexes, TOAST), each index, and what autovacuum has to do.</summary>
internal sealed record TableSize(
    string Name, long TotalBytes, long HeapBytes, long LiveTuples, long DeadTuples, long Autovacuums, IReadOnlyList<(string Name, long Bytes)> Indexes)
{
    /// <summary>Updates so far, and of those the HOT ones (no new index entries: the page had room, no indexed column changed).</summary>
    public (long All, long Hot) Updates { get; init; }

    public string HotShare => Updates.All == 0 ? "no updates" : $"{(double)Updates.Hot / Updates.All:P0} of {Updates.All:N0} updates HOT";
}

/// <summary>The soak's view of PostgreSQL at one moment.</summary>
internal sealed record DatabaseSample(IReadOnlyList<TableSize> Tables, long ExpiredBacklog)
{
    public TableSize this[string table] => Tables.First(t => t.Name == table);

    public string Line() =>
        string.Join("; ", Tables.Select(t => $"{t.Name} {Mb(t.TotalBytes)} ({t.LiveTuples:N0} live, {t.DeadTuples:N0} dead, {t.Autovacuums} autovacuums, {t.HotShare})")) +
        $"; expired > {SoakDatabase.ExpiredGraceSeconds} s ago {ExpiredBacklog:N0}";

    public string IndexLine() =>
        string.Join("; ", Tables.Where(t => t.Indexes.Count > 0).Select(t =>
            $"{t.Name}: heap {Mb(t.HeapBytes)}, " + string.Join(", ", t.Indexes.Select(i => $"{i.Name} {Mb(i.Bytes)}"))));

    public static string Mb(long bytes) => $"{bytes / 1048576.0:N1} MB";
}

/// <summary>
/// Reads the sizes the soak watches (issue 14 item 7): pg_total_relation_size and pg_relation_size of each table the
/// workload writes and of each of its indexes, live and dead tuples and autovacuum runs from pg_stat_user_tables, and
/// how many messages are still stored well after their expiry (the expiry sweeper's backlog).
/// </summary>
internal sealed class SoakDatabase(string connectionString) : IAsyncDisposable
{
    /// <summary>Two sweep intervals of the service's default: a message expired longer ago than this is the sweeper's debt.</summary>
    public const int ExpiredGraceSeconds = 60;

    private static readonly string[] Watched = ["messages", "claims", "queues", "notifications"];

    private readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    public async Task<DatabaseSample> SampleAsync(CancellationToken ct)
    {
        var indexes = new Dictionary<string, List<(string, long)>>();
        await using (var cmd = _source.CreateCommand(
            "SELECT relname, indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes WHERE relname = ANY(@t) ORDER BY relname, indexrelname"))
        {
            cmd.Parameters.AddWithValue("t", Watched);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var table = reader.GetString(0);
                if (!indexes.TryGetValue(table, out var list))
                {
                    indexes[table] = list = [];
                }
                list.Add((reader.GetString(1), reader.GetInt64(2)));
            }
        }
        var tables = new List<TableSize>();
        await using (var cmd = _source.CreateCommand(
            """
            SELECT relname, pg_total_relation_size(relid), pg_relation_size(relid), n_live_tup, n_dead_tup, autovacuum_count, n_tup_upd, n_tup_hot_upd
            FROM pg_stat_user_tables WHERE relname = ANY(@t)
            """))
        {
            cmd.Parameters.AddWithValue("t", Watched);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var name = reader.GetString(0);
                tables.Add(new TableSize(name, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5),
                    indexes.TryGetValue(name, out var list) ? list : [])
                {
                    Updates = (reader.GetInt64(6), reader.GetInt64(7)),
                });
            }
        }
        tables.Sort((a, b) => Array.IndexOf(Watched, a.Name).CompareTo(Array.IndexOf(Watched, b.Name)));
        await using var expired = _source.CreateCommand($"SELECT count(*) FROM messages WHERE expires_at < now() - interval '{ExpiredGraceSeconds} seconds'");
        var backlog = (long)(await expired.ExecuteScalarAsync(ct))!;
        return new DatabaseSample(tables, backlog);
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
