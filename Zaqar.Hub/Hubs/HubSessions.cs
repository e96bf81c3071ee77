using System.Collections.Concurrent;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// The life of a hub connection beyond SignalR's: it counts against its project's connection cap, a connection
/// authenticated by a token is closed ("Authentication expired.") when the token expires, as Zaqar's websocket
/// transport does, and it belongs to the project that opened it (issue #6, <see cref="Claim"/>).
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class HubSessions(TrackingHubLifetimeManager connections, HubConnectionLimits limits, TimeProvider time)
{
    public const string ExpiredReason = "Authentication expired.";

    /// <summary>How long a connection token stays bound to its project when its connection never starts.</summary>
    private static readonly TimeSpan UnstartedBinding = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (CallContext Caller, ITimer? Expiry, string? Token)> _sessions = new();
    private readonly ConcurrentDictionary<string, (string Project, DateTimeOffset Since, bool Started)> _owners =
        new(StringComparer.Ordinal);
    private long _nextPrune;

    /// <summary>
    /// Binds a connection token to the project of the first request that uses it (the request that creates the
    /// connection's transport), and tells whether <paramref name="caller"/> may use it. Long polling and Server-Sent
    /// Events spread one connection over many requests (polls, sends) that name it by token; each is authenticated on
    /// its own, so without this a request authenticated as one project could drive another project's connection.
    /// </summary>
    /// <returns>False when the token belongs to a connection of another project.</returns>
    public bool Claim(string connectionToken, CallContext caller)
    {
        var now = time.GetUtcNow();
        Prune(now);
        var owner = _owners.GetOrAdd(connectionToken, (caller.ProjectId, now, false));
        return owner.Project == caller.ProjectId;
    }

    /// <summary>Starts a session; fails (429) past the project's cap.</summary>
    /// <param name="connectionToken">
    /// The token the connection's requests name it by (null for a WebSocket opened without negotiating).
    /// </param>
    public void Started(string connectionId, CallContext caller, string? connectionToken = null)
    {
        limits.Opened(caller);
        ITimer? expiry = null;
        if (caller.ExpiresAt is { } expires)
        {
            var due = expires - time.GetUtcNow();
            expiry = time.CreateTimer(
                _ => _ = connections.CloseAsync(connectionId, ExpiredReason), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
        if (connectionToken is not null)
        {
            _owners[connectionToken] = (caller.ProjectId, time.GetUtcNow(), true);
        }
        _sessions[connectionId] = (caller, expiry, connectionToken);
    }

    public void Ended(string connectionId)
    {
        if (_sessions.TryRemove(connectionId, out var session))
        {
            session.Expiry?.Dispose();
            limits.Closed(session.Caller);
            if (session.Token is not null)
            {
                _owners.TryRemove(session.Token, out _);
            }
        }
    }

    /// <summary>Forgets, now and then, the tokens of connections that were never started (SignalR dropped them).</summary>
    private void Prune(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextPrune);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextPrune, now.Add(TimeSpan.FromMinutes(1)).UtcTicks, due) != due)
        {
            return;
        }
        foreach (var (token, owner) in _owners)
        {
            if (!owner.Started && now - owner.Since > UnstartedBinding)
            {
                _owners.TryRemove(KeyValuePair.Create(token, owner));
            }
        }
    }
}
