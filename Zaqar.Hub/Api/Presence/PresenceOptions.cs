using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api;

/// <summary>
/// Presence (issue 13), bound from the "Presence" section: how nodes tell the others they are alive, and so how long a
/// node that died without a word (kill -9, a lost machine) still counts its connections.
/// </summary>
public sealed class PresenceOptions
{
    public const string SectionName = "Presence";

    /// <summary>How often a node records that it is alive, and sweeps the nodes that stopped doing so.</summary>
    [Range(1, 300)] public int HeartbeatSeconds { get; set; } = 5;

    /// <summary>
    /// This node is dead when not heard from for this long (each node states its own in every heartbeat): its connections
    /// stop counting at once, on every node, and the next sweep of any node removes them and announces them as left
    /// (within one of that node's heartbeats). The bound on a ghost's life.
    /// </summary>
    [Range(2, 3600)] public int NodeTimeoutSeconds { get; set; } = 15;

    /// <summary>The most clients a presence answer lists (the count is always exact); more are cut, with a flag saying so.</summary>
    [Range(0, 100_000)] public int MaxClientsListed { get; set; } = 1000;
}

/// <summary>Rules of <see cref="PresenceOptions"/> beyond ranges; checked at start.</summary>
public sealed class PresenceOptionsValidation : IValidateOptions<PresenceOptions>
{
    public ValidateOptionsResult Validate(string? name, PresenceOptions o) =>
        // One late heartbeat (a busy database, a GC pause) must not make a live node look dead.
        o.NodeTimeoutSeconds < 2 * o.HeartbeatSeconds
            ? ValidateOptionsResult.Fail("Presence:NodeTimeoutSeconds must be at least twice Presence:HeartbeatSeconds.")
            : ValidateOptionsResult.Success;
}
