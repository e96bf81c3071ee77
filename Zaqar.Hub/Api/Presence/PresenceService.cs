using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Presence;

namespace Zaqar.Hub.Api;

/// <summary>
/// Presence reads for every transport (issue 13): who is subscribed to a queue or topic, across all nodes, and who may
/// see which part of it. The tracking itself (joins, leaves, heartbeats) is the host's presence tracker.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class PresenceService(PresenceStore store, StorageGuard guard, IOptions<PresenceOptions> options)
{
    /// <summary>The connections subscribed to the caller's <paramref name="name"/>, and its clients when the caller may see them.</summary>
    public async Task<PresenceView> GetAsync(CallContext caller, string name, QueueKind kind, CancellationToken ct)
    {
        var queue = Watched(caller, name, kind);
        var count = await guard.Run(
            () => store.CountAsync(queue, SeesClients(caller) ? options.Value.MaxClientsListed : null, ct),
            $"{kind.Noun()} presence could not be retrieved.");
        return new PresenceView(count.Connections)
        {
            Clients = count.Clients?.Select(c => new PresenceClientView(c.ClientId, c.Connections)).ToList(),
            ClientsTruncated = count.ClientsTruncated,
        };
    }

    /// <summary>The queue a caller asks the presence of (or to watch): its own project's, by a valid name.</summary>
    public static QueueRef Watched(CallContext caller, string name, QueueKind kind)
    {
        IdentityRules.ValidateQueueName(name, caller.ProjectId, kind);
        return caller.Queue(name, kind);
    }

    /// <summary>
    /// Client ids are the project's business: its own credentials and admins see them; a pre-signed URL, handed to a
    /// third party, sees counts only.
    /// </summary>
    public static bool SeesClients(CallContext caller) => caller.Scope is null || caller.IsAdmin;
}
