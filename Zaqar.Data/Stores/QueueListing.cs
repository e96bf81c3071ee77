using Microsoft.EntityFrameworkCore;
using Zaqar.Data.Pools;

namespace Zaqar.Data.Stores;

/// <summary>
/// The queries that list a project's queue rows in one database: a page in name order, a count, and the metadata of
/// named queues (the pooled listing reads its names from the catalogue and the metadata from each pool).
/// </summary>
/// <remarks>
/// EF Core compiled queries (issue 12 item 11): every queue listing runs one, so the LINQ is translated once, not per call.
/// A null name or metadata filter drops its condition from the SQL (EF Core keeps one statement per null pattern).
/// Stateless; thread-safe.
/// </remarks>
internal static class QueueListing
{
    private static readonly Func<ZaqarDbContext, string, QueueKind, string, int, string?, string?, IAsyncEnumerable<StoredQueue>> Page =
        EF.CompileAsyncQuery((ZaqarDbContext db, string project, QueueKind kind, string marker, int limit, string? contains, string? filter) =>
            db.Queues.AsNoTracking()
                .Where(q => q.Project == project && q.Kind == kind && string.Compare(q.Name, marker) > 0)
                .Where(q => contains == null || q.Name.Contains(contains))
                .Where(q => filter == null || EF.Functions.JsonContains(q.Metadata, filter))
                .OrderBy(q => q.Name)
                .Take(limit)
                .Select(q => new StoredQueue(q.Name, q.Metadata)));

    private static readonly Func<ZaqarDbContext, string, QueueKind, string?, string?, CancellationToken, Task<long>> Count =
        EF.CompileAsyncQuery((ZaqarDbContext db, string project, QueueKind kind, string? contains, string? filter, CancellationToken ct) =>
            db.Queues
                .Where(q => q.Project == project && q.Kind == kind)
                .Where(q => contains == null || q.Name.Contains(contains))
                .LongCount(q => filter == null || EF.Functions.JsonContains(q.Metadata, filter)));

    private static readonly Func<ZaqarDbContext, string, QueueKind, string[], string?, IAsyncEnumerable<StoredQueue>> Named =
        EF.CompileAsyncQuery((ZaqarDbContext db, string project, QueueKind kind, string[] names, string? filter) =>
            db.Queues.AsNoTracking()
                .Where(q => q.Project == project && q.Kind == kind && names.Contains(q.Name))
                .Where(q => filter == null || EF.Functions.JsonContains(q.Metadata, filter))
                .Select(q => new StoredQueue(q.Name, q.Metadata)));

    /// <summary>
    /// One page of a project's queues in name order, after <paramref name="marker"/>. <paramref name="nameContains"/> and
    /// <paramref name="metadataFilter"/> (a JSON object the metadata must contain) are optional.
    /// </summary>
    public static async Task<IReadOnlyList<StoredQueue>> PageAsync(
        PoolTarget target, string project, QueueKind kind, string? marker, int limit, string? nameContains, string? metadataFilter,
        CancellationToken ct)
    {
        await using var db = await target.Contexts.CreateDbContextAsync(ct);
        var queues = new List<StoredQueue>(limit);
        await foreach (var queue in Page(db, project, kind, marker ?? string.Empty, limit, nameContains, metadataFilter).WithCancellation(ct))
        {
            queues.Add(queue);
        }
        return queues;
    }

    public static async Task<long> CountAsync(
        PoolTarget target, string project, QueueKind kind, string? nameContains, string? metadataFilter, CancellationToken ct)
    {
        await using var db = await target.Contexts.CreateDbContextAsync(ct);
        return await Count(db, project, kind, nameContains, metadataFilter, ct);
    }

    /// <summary>The metadata of those of <paramref name="names"/> that exist here (and match <paramref name="metadataFilter"/>).</summary>
    public static async Task<Dictionary<string, string>> MetadataAsync(
        PoolTarget target, string project, QueueKind kind, IReadOnlyList<string> names, string? metadataFilter, CancellationToken ct)
    {
        await using var db = await target.Contexts.CreateDbContextAsync(ct);
        var found = new Dictionary<string, string>(names.Count, StringComparer.Ordinal);
        await foreach (var queue in Named(db, project, kind, names.ToArray(), metadataFilter).WithCancellation(ct))
        {
            found[queue.Name] = queue.Metadata;
        }
        return found;
    }
}
