using System.Globalization;
using System.Text.Json.Nodes;
using Zaqar.Data;

namespace Zaqar.Hub.Api;

// Listing queues and topics (zaqar-v2-api.md sections 2.2 and 8): one set of rules, two shapes.
public sealed partial class QueueService
{
    public async Task<QueuePageView> ListAsync(CallContext ctx, ListQueuesRequest request, CancellationToken ct = default)
    {
        var (views, links, count) = await ListCoreAsync(ctx, request, QueueKind.Queue, ct);
        return new QueuePageView(views, links) { Count = count };
    }

    /// <summary>The project's topics: the queue listing's parameters and rules, under the key "topics".</summary>
    public async Task<TopicPageView> ListTopicsAsync(CallContext ctx, ListQueuesRequest request, CancellationToken ct = default)
    {
        var (views, links, count) = await ListCoreAsync(ctx, request, QueueKind.Topic, ct);
        return new TopicPageView(views, links) { Count = count };
    }

    private async Task<(IReadOnlyList<QueueView> Views, IReadOnlyList<LinkView> Links, long? Count)> ListCoreAsync(
        CallContext ctx, ListQueuesRequest request, QueueKind kind, CancellationToken ct)
    {
        var limit = request.Limit ?? 10;
        if (limit < 1 || limit > O.MaxQueuesPerPage)
        {
            throw ApiErrors.BadRequest($"Limit must be at least 1 and no greater than {O.MaxQueuesPerPage}.");
        }
        // Every text reaching SQL must be text PostgreSQL keeps (issue 10): a NUL in ?name= was a 503.
        var marker = AcceptableJson.Parameter("marker", request.Marker);
        var name = AcceptableJson.Parameter("name", request.Name);
        var filter = MetadataFilter(request.MetadataFilters);
        var failure = $"{kind.PluralNoun()} could not be listed.";
        var detailed = request.Detailed ?? false;
        var page = await guard.Run(() => queues.ListAsync(ctx.ProjectId, kind, marker, limit, name, filter, detailed, ct), failure);
        var views = page.Select(q => new QueueView(q.Name, Paths.Queue(q.Name, kind))
        {
            Metadata = detailed ? QueueMetadata.WithReservedDefaults(QueueMetadata.Parse(q.Metadata), O, kind) : null,
        }).ToList();
        long? count = null;
        if (request.WithCount == true)
        {
            var total = await guard.Run(() => queues.CountAsync(ctx.ProjectId, kind, name, filter, ct), failure);
            count = total == 0 ? null : total;
        }
        var links = views.Count == 0 ? [] : Paths.Next(Paths.Collection(kind), Parameters(request), views[^1].Name);
        return (views, links, count);
    }

    // Zaqar passes unknown list parameters to the store as metadata filters, numbers as numbers.
    private static string? MetadataFilter(IReadOnlyList<KeyValuePair<string, string>>? filters)
    {
        if (filters is null || filters.Count == 0)
        {
            return null;
        }
        var filter = new JsonObject();
        foreach (var (key, value) in filters)
        {
            AcceptableJson.Parameter(key, key);
            filter[key] = long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                ? JsonValue.Create(n)
                : JsonValue.Create(AcceptableJson.Parameter(key, value));
        }
        return filter.ToJsonString();
    }

    private static IEnumerable<KeyValuePair<string, string>> Parameters(ListQueuesRequest r)
    {
        if (r.Limit is { } limit)
        {
            yield return new("limit", limit.ToString(CultureInfo.InvariantCulture));
        }
        if (r.Detailed is { } detailed)
        {
            yield return new("detailed", detailed ? "true" : "false");
        }
        if (r.Name is { } name)
        {
            yield return new("name", name);
        }
        if (r.WithCount is { } withCount)
        {
            yield return new("with_count", withCount ? "true" : "false");
        }
        foreach (var filter in r.MetadataFilters ?? [])
        {
            yield return filter;
        }
    }
}
