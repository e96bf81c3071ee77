using Npgsql;
using NpgsqlTypes;

namespace Zaqar.Data.Stores;

/// <summary>
/// The statements that list a project's queue rows in one database: a page in name order, a count, and the metadata
/// of named queues (the pooled listing reads its names from the catalogue and the metadata from each pool).
/// </summary>
/// <remarks>Stateless; thread-safe.</remarks>
internal static class QueueListing
{
    /// <summary>
    /// One page of a project's queues in name order, after <paramref name="marker"/>. <paramref name="nameContains"/> and
    /// <paramref name="metadataFilter"/> (a JSON object the metadata must contain) are optional.
    /// </summary>
    public static async Task<IReadOnlyList<StoredQueue>> PageAsync(
        NpgsqlDataSource dataSource, string project, QueueKind kind, string? marker, int limit, string? nameContains, string? metadataFilter,
        CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            SELECT name, metadata::text FROM queues
            WHERE project = @project AND kind = @kind AND name > @marker
              AND (@contains::text IS NULL OR strpos(name, @contains) > 0)
              AND (@filter::jsonb IS NULL OR metadata @> @filter)
            ORDER BY name
            LIMIT @limit
            """);
        AddProject(cmd.Parameters, project, kind, nameContains, metadataFilter);
        cmd.Parameters.Add(new NpgsqlParameter<string>("marker", marker ?? string.Empty));
        cmd.Parameters.Add(new NpgsqlParameter<int>("limit", limit));
        var queues = new List<StoredQueue>(limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            queues.Add(new StoredQueue(reader.GetString(0), reader.GetString(1)));
        }
        return queues;
    }

    public static async Task<long> CountAsync(
        NpgsqlDataSource dataSource, string project, QueueKind kind, string? nameContains, string? metadataFilter, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            SELECT count(*) FROM queues
            WHERE project = @project AND kind = @kind
              AND (@contains::text IS NULL OR strpos(name, @contains) > 0)
              AND (@filter::jsonb IS NULL OR metadata @> @filter)
            """);
        AddProject(cmd.Parameters, project, kind, nameContains, metadataFilter);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The metadata of those of <paramref name="names"/> that exist here (and match <paramref name="metadataFilter"/>).</summary>
    public static async Task<Dictionary<string, string>> MetadataAsync(
        NpgsqlDataSource dataSource, string project, QueueKind kind, IReadOnlyList<string> names, string? metadataFilter, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            """
            SELECT name, metadata::text FROM queues
            WHERE project = @project AND kind = @kind AND name = ANY(@names)
              AND (@filter::jsonb IS NULL OR metadata @> @filter)
            """);
        AddProject(cmd.Parameters, project, kind, null, metadataFilter);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("names", names.ToArray()));
        var found = new Dictionary<string, string>(names.Count, StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            found[reader.GetString(0)] = reader.GetString(1);
        }
        return found;
    }

    private static void AddProject(NpgsqlParameterCollection parameters, string project, QueueKind kind, string? nameContains, string? metadataFilter)
    {
        parameters.Add(new NpgsqlParameter<string>("project", project));
        parameters.Add(new NpgsqlParameter<short>("kind", (short)kind));
        parameters.Add(new NpgsqlParameter("contains", NpgsqlDbType.Text) { Value = (object?)nameContains ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter("filter", NpgsqlDbType.Jsonb) { Value = (object?)metadataFilter ?? DBNull.Value });
    }
}
