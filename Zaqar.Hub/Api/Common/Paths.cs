using Zaqar.Data;

namespace Zaqar.Hub.Api;

/// <summary>
/// The canonical resource paths of the v2 API; hrefs in responses use them whatever the transport. A topic's
/// resources live under /v2/topics as a queue's live under /v2/queues.
/// </summary>
public static class Paths
{
    /// <summary>"/v2/queues" or "/v2/topics".</summary>
    public static string Collection(QueueKind kind) => "/v2/" + kind.Collection();

    public static string Queue(string queue, QueueKind kind = QueueKind.Queue) => $"{Collection(kind)}/{queue}";

    public static string Messages(string queue, QueueKind kind = QueueKind.Queue) => $"{Collection(kind)}/{queue}/messages";

    public static string Message(string queue, string id, QueueKind kind = QueueKind.Queue) => $"{Collection(kind)}/{queue}/messages/{id}";

    public static string ClaimedMessage(string queue, string id, Guid? claimId, QueueKind kind = QueueKind.Queue) =>
        claimId is { } c ? $"{Message(queue, id, kind)}?claim_id={c:D}" : Message(queue, id, kind);

    public static string Claims(string queue) => $"/v2/queues/{queue}/claims";

    public static string Claim(string queue, Guid claimId) => $"/v2/queues/{queue}/claims/{claimId:D}";

    /// <summary>A "next" link: the path, the caller's parameters, and the marker of the page's last item.</summary>
    public static IReadOnlyList<LinkView> Next(string path, IEnumerable<KeyValuePair<string, string>> parameters, string marker)
    {
        var query = parameters
            .Where(p => p.Key != "marker")
            .Append(new("marker", marker))
            .Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value));
        return [new LinkView("next", path + "?" + string.Join("&", query))];
    }
}
