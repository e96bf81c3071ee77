namespace Zaqar.Hub.Hubs;

/// <summary>
/// The REST request each hub method stands for (HTTP method and path), so a connection opened with a
/// pre-signed URL may only call what that URL allows, as Zaqar's websocket transport maps actions to methods.
/// Methods not listed are refused to such connections; the operator methods (pools and flavors, issue #6) are left
/// out on purpose, so no pre-signed URL can ever reach them.
/// </summary>
internal static class HubScopes
{
    private static readonly Dictionary<string, Func<IReadOnlyList<object?>, (string Method, string Path)>> Map = new(StringComparer.Ordinal)
    {
        ["CreateQueue"] = a => ("PUT", Queue(a)),
        ["ListQueues"] = _ => ("GET", "/v2/queues"),
        ["GetQueue"] = a => ("GET", Queue(a)),
        ["DeleteQueue"] = a => ("DELETE", Queue(a)),
        ["GetQueueStats"] = a => ("GET", Queue(a) + "/stats"),
        ["UpdateQueueMetadata"] = a => ("PATCH", Queue(a)),
        ["PurgeQueue"] = a => ("POST", Queue(a) + "/purge"),
        ["PostMessages"] = a => ("POST", Queue(a) + "/messages"),
        ["ListMessages"] = a => ("GET", Queue(a) + "/messages"),
        ["GetMessage"] = a => ("GET", Queue(a) + "/messages/" + Arg(a, 1)),
        ["GetMessages"] = a => ("GET", Queue(a) + "/messages"),
        ["DeleteMessage"] = a => ("DELETE", Queue(a) + "/messages/" + Arg(a, 1)),
        ["DeleteMessages"] = a => ("DELETE", Queue(a) + "/messages"),
        ["PopMessages"] = a => ("DELETE", Queue(a) + "/messages"),
        ["CreateClaim"] = a => ("POST", Queue(a) + "/claims"),
        ["GetClaim"] = a => ("GET", Queue(a) + "/claims/" + Arg(a, 1)),
        ["UpdateClaim"] = a => ("PATCH", Queue(a) + "/claims/" + Arg(a, 1)),
        ["ReleaseClaim"] = a => ("DELETE", Queue(a) + "/claims/" + Arg(a, 1)),
        ["Ping"] = _ => ("GET", "/v2/ping"),
        ["Health"] = _ => ("GET", "/v2/health"),
        // Receiving pushes reads the queue's messages; a consume stream claims them.
        ["Subscribe"] = a => ("GET", Queue(a) + "/messages"),
        ["Unsubscribe"] = a => ("GET", Queue(a) + "/messages"),
        ["SubscribeSince"] = a => ("GET", Queue(a) + "/messages"),
        ["Consume"] = a => ("POST", Queue(a) + "/claims"),
        // Presence (issue 13): a URL signed for the queue's presence path (or the whole queue) sees counts, never client ids.
        ["GetPresence"] = a => ("GET", Queue(a) + "/presence"),
        ["SubscribePresence"] = a => ("GET", Queue(a) + "/presence"),
        ["UnsubscribePresence"] = a => ("GET", Queue(a) + "/presence"),
    };

    /// <summary>The REST request of a hub call; null for a method no pre-signed URL can allow.</summary>
    public static (string Method, string Path)? For(string hubMethod, IReadOnlyList<object?> arguments) =>
        Map.TryGetValue(hubMethod, out var map) ? map(arguments) : null;

    private static string Queue(IReadOnlyList<object?> a) => "/v2/queues/" + Arg(a, 0);

    private static string Arg(IReadOnlyList<object?> a, int index) => a.Count > index ? a[index]?.ToString() ?? string.Empty : string.Empty;
}
