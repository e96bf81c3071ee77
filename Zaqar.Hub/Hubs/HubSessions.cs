using System.Collections.Concurrent;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// The life of a hub connection beyond SignalR's: it counts against its project's connection cap, and a
/// connection authenticated by a token is closed ("Authentication expired.") when the token expires, as
/// Zaqar's websocket transport does.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class HubSessions(TrackingHubLifetimeManager connections, HubConnectionLimits limits, TimeProvider time)
{
    public const string ExpiredReason = "Authentication expired.";

    private readonly ConcurrentDictionary<string, (CallContext Caller, ITimer? Expiry)> _sessions = new();

    /// <summary>Starts a session; fails (429) past the project's cap.</summary>
    public void Started(string connectionId, CallContext caller)
    {
        limits.Opened(caller);
        ITimer? expiry = null;
        if (caller.ExpiresAt is { } expires)
        {
            var due = expires - time.GetUtcNow();
            expiry = time.CreateTimer(
                _ => _ = connections.CloseAsync(connectionId, ExpiredReason), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        _sessions[connectionId] = (caller, expiry);
    }

    public void Ended(string connectionId)
    {
        if (_sessions.TryRemove(connectionId, out var session))
        {
            session.Expiry?.Dispose();
            limits.Closed(session.Caller);
        }
    }
}
