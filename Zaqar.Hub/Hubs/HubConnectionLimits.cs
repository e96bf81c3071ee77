using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// The cap on hub connections per project (Limits:MaxConnectionsPerProject): checked before SignalR takes a
/// request (a clean 429), and enforced when a connection starts (the count is exact there).
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class HubConnectionLimits(IOptions<LimitsOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _open = new();

    private int Cap => options.Value.MaxConnectionsPerProject;

    /// <summary>Refuses a new connection's negotiate/connect request when the project is at its cap.</summary>
    public void CheckCanConnect(HttpContext http, CallContext caller)
    {
        // Requests of an existing connection (polls, sends) carry its id; only new connections count.
        if (Cap > 0 && !http.Request.Query.ContainsKey("id") && _open.GetValueOrDefault(caller.ProjectId) >= Cap)
        {
            throw TooMany(caller);
        }
    }

    /// <summary>Counts a started connection; fails (and counts nothing) past the cap.</summary>
    public void Opened(CallContext caller)
    {
        if (Cap <= 0)
        {
            return;
        }
        var count = _open.AddOrUpdate(caller.ProjectId, 1, (_, n) => n + 1);
        if (count > Cap)
        {
            Closed(caller);
            throw TooMany(caller);
        }
    }

    public void Closed(CallContext caller)
    {
        if (Cap > 0)
        {
            _open.AddOrUpdate(caller.ProjectId, 0, (_, n) => Math.Max(0, n - 1));
        }
    }

    private ZaqarException TooMany(CallContext caller) => new(429, "Too many connections",
        $"Project {caller.ProjectId} already holds {Cap} hub connections (Limits:MaxConnectionsPerProject).");
}
