using System.Collections.Concurrent;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// The life of a hub connection beyond SignalR's: it counts against its project's connection cap, a connection
/// authenticated by a token is closed ("Authentication expired.") when the token expires, as Zaqar's websocket
/// transport does, and it belongs to the identity that negotiated it (issue 10, <see cref="Claim"/>).
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class HubSessions(TrackingHubLifetimeManager connections, HubConnectionLimits limits, TimeProvider time)
{
    public const string ExpiredReason = "Authentication expired.";

    /// <summary>How long a connection token stays bound to its identity when its connection never starts.</summary>
    private static readonly TimeSpan UnstartedBinding = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, (CallContext Caller, ITimer? Expiry, string? Token)> _sessions = new();
    private readonly ConcurrentDictionary<string, (ConnectionOwner Owner, DateTimeOffset Since, bool Started)> _owners =
        new(StringComparer.Ordinal);
    private long _nextPrune;

    /// <summary>
    /// Binds the connection token a negotiate request was answered with to the identity that negotiated
    /// (<paramref name="caller"/>), before the client can use it (issue 10).
    /// </summary>
    public void Negotiated(string connectionToken, CallContext caller)
    {
        var now = time.GetUtcNow();
        Prune(now);
        _owners[connectionToken] = (ConnectionOwner.Of(caller), now, false);
    }

    /// <summary>
    /// Tells whether <paramref name="caller"/> may use a connection token: only the identity that negotiated it may
    /// (issue 10; issue #6 bound it to the project of its first use, which let another identity take a connection
    /// before its owner's first poll). Long polling and Server-Sent Events spread one connection over many requests
    /// (polls, sends, the delete) that name it by token; each is authenticated on its own, so without this a request
    /// authenticated as one identity could drive, or take over, another's connection.
    /// </summary>
    /// <returns>False when the token is not bound (never negotiated here, or its connection ended) or belongs to another identity.</returns>
    public bool Claim(string connectionToken, CallContext caller)
    {
        Prune(time.GetUtcNow());
        return _owners.TryGetValue(connectionToken, out var owner) && owner.Owner == ConnectionOwner.Of(caller);
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
            // Claim let only the negotiating identity get here, so the binding stays as it is; started, it is kept until the end.
            var now = time.GetUtcNow();
            _owners.AddOrUpdate(connectionToken, _ => (ConnectionOwner.Of(caller), now, true), (_, o) => o with { Started = true });
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

/// <summary>
/// The identity a hub connection belongs to: the project, the Client-ID, the roles, and (for a pre-signed URL) the
/// signed scope; a token's expiry is not part of it, so a client that renews its token keeps its connection.
/// </summary>
internal sealed record ConnectionOwner(string Project, string ClientId, string Roles, string? Scope)
{
    public static ConnectionOwner Of(CallContext caller) => new(
        caller.ProjectId,
        caller.ClientId,
        string.Join(',', caller.Roles.Order(StringComparer.Ordinal)),
        caller.Scope is { } scope ? string.Join(',', scope.Methods) + "\n" + string.Join(',', scope.Paths) : null);
}
