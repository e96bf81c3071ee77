namespace Zaqar.Hub.Api;

/// <summary>The canonical resource paths of the v2 API; hrefs in responses use them whatever the transport.</summary>
public static class Paths
{
    public static string Queue(string queue) => $"/v2/queues/{queue}";

    public static string Messages(string queue) => $"/v2/queues/{queue}/messages";

    public static string Message(string queue, string id) => $"/v2/queues/{queue}/messages/{id}";

    public static string ClaimedMessage(string queue, string id, Guid? claimId) =>
        claimId is { } c ? $"/v2/queues/{queue}/messages/{id}?claim_id={c:D}" : Message(queue, id);

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
