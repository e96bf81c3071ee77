using System.Globalization;
using System.Text;
using Npgsql;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>
/// A fingerprint of everything the database holds for one fuzz worker's projects (issue 10: "nothing written by a
/// refused request"): every row of every table with a <c>project</c> column whose project starts with the worker's token,
/// and every row of the tables that reference those (messages and claims by queue, notifications by subscription), on
/// the primary database and on the pool database once a queue of the worker's lives there.
/// Read from the schema, not from a list, so a table added later is covered. The catalog tables (pools, flavors),
/// shared by all projects, are fingerprinted whole for catalog routes, which the fuzzer runs one at a time.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class ProjectState : IAsyncDisposable
{
    /// <summary>
    /// The rows' count and the sum and maximum of their xmin: every insert, update or delete of a row changes it (a new
    /// row version has a new xmin), and it reads no column, so it costs little even over large message bodies.
    /// </summary>
    private const string Fingerprint = "count(*) || ':' || coalesce(sum(t.xmin::text::bigint), 0) || ':' || coalesce(max(t.xmin::text::bigint), 0)";

    private readonly NpgsqlDataSource _primary;
    private readonly NpgsqlDataSource _pool;
    private readonly string _projectSql;
    private readonly Dictionary<string, string> _rowsByTable;

    private ProjectState(NpgsqlDataSource primary, NpgsqlDataSource pool, string projectSql, Dictionary<string, string> rowsByTable)
    {
        _primary = primary;
        _pool = pool;
        _projectSql = projectSql;
        _rowsByTable = rowsByTable;
    }

    public static async Task<ProjectState> CreateAsync(string primaryConnectionString, string poolConnectionString, CancellationToken ct)
    {
        var primary = NpgsqlDataSource.Create(primaryConnectionString);
        var pool = NpgsqlDataSource.Create(poolConnectionString);
        // Tables with a project column, and tables with a foreign key to one of those.
        await using var schema = primary.CreateCommand(
            """
            SELECT c.table_name, NULL, NULL, NULL FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = 'public' AND c.column_name = 'project'
            UNION ALL
            SELECT child.relname, a.attname, parent.relname, pa.attname
            FROM pg_constraint k
            JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid
            JOIN pg_namespace n ON n.oid = child.relnamespace AND n.nspname = 'public'
            JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
            JOIN pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
            WHERE k.contype = 'f' AND cardinality(k.conkey) = 1
              AND EXISTS (SELECT 1 FROM information_schema.columns c WHERE c.table_schema = 'public' AND c.table_name = parent.relname AND c.column_name = 'project')
            ORDER BY 1
            """);
        var parts = new List<string>();
        var rowsByTable = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var reader = await schema.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var table = reader.GetString(0);
                var rows = reader.IsDBNull(1)
                    ? $"FROM {table} t WHERE t.project LIKE @prefix"
                    : $"FROM {table} t WHERE t.{reader.GetString(1)} IN (SELECT p.{reader.GetString(3)} FROM {reader.GetString(2)} p WHERE p.project LIKE @prefix)";
                parts.Add($"(SELECT '{table}:' || {Fingerprint} {rows})");
                rowsByTable[table] = rows;
            }
        }
        if (parts.Count < 3)
        {
            throw new InvalidOperationException("The schema has fewer project tables than the fuzzer expects: is the database migrated?");
        }
        // Last: how many of the projects' queues the catalogue places on a pool (their rows are then in the pool database).
        parts.Add("(SELECT 'placed:' || count(*) FROM catalogue WHERE project LIKE @prefix AND pool IS NOT NULL)");
        return new ProjectState(primary, pool, "SELECT " + string.Join(" || ' ' || ", parts), rowsByTable);
    }

    /// <summary>The fingerprint of the projects whose id starts with <paramref name="token"/>; with <paramref name="catalog"/>, of the pools and flavors too.</summary>
    public async Task<string> DigestAsync(string token, bool catalog, CancellationToken ct)
    {
        var digest = new StringBuilder(await ScalarAsync(_primary, _projectSql, token, ct));
        if (!digest.ToString().EndsWith(" placed:0", StringComparison.Ordinal))
        {
            digest.Append(" pool ").Append(await ScalarAsync(_pool, _projectSql, token, ct));
        }
        if (catalog)
        {
            digest.Append(' ').Append(await ScalarAsync(_primary,
                $"SELECT (SELECT {Fingerprint} FROM pools t) || ' ' || (SELECT {Fingerprint} FROM flavors t)", token, ct));
        }
        return digest.ToString();
    }

    /// <summary>How many rows of <paramref name="table"/> a fingerprint counts (in the primary and pool databases together).</summary>
    public static long Rows(string digest, string table) =>
        digest.Split(' ').Where(p => p.StartsWith(table + ":", StringComparison.Ordinal)).Sum(p => long.Parse(p.Split(':')[1], CultureInfo.InvariantCulture));

    /// <summary>Which tables differ between two fingerprints, and (for the primary database) their rows now, for a report.</summary>
    public async Task<string> DescribeChangeAsync(string before, string after, string token, CancellationToken ct)
    {
        var was = before.Split(' ').ToHashSet(StringComparer.Ordinal);
        var changed = after.Split(' ').Where(part => !was.Contains(part)).Select(part => part.Split(':')[0]).Distinct().ToList();
        var text = new StringBuilder("changed: " + string.Join(", ", changed));
        foreach (var table in changed.Where(_rowsByTable.ContainsKey))
        {
            var rows = await ScalarAsync(_primary,
                $"SELECT coalesce(string_agg(x, ' '), '') FROM (SELECT left(row_to_json(t)::text, 300) AS x {_rowsByTable[table]} LIMIT 8) s", token, ct);
            text.Append($"; {table} now: {rows}");
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _primary.DisposeAsync();
        await _pool.DisposeAsync();
    }

    private static async Task<string> ScalarAsync(NpgsqlDataSource source, string sql, string token, CancellationToken ct)
    {
        await using var command = source.CreateCommand(sql);
        // The project ids of a worker all start with its token (letters and digits): a prefix the indexes on project serve.
        command.Parameters.AddWithValue("prefix", token + "%");
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }
}
