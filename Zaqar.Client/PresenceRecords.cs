using System.Text.Json.Serialization;

namespace Zaqar.Client;

/// <summary>
/// Who listens to a queue or topic (issue 13): its subscribed connections on every node, and, for the project's own
/// credentials or an admin, their clients in client id order (at most the service's limit; <see cref="ClientsTruncated"/>
/// when there were more).
/// </summary>
public sealed record Presence(
    [property: JsonPropertyName("connections")] int Connections,
    [property: JsonPropertyName("clients")] IReadOnlyList<PresenceClient>? Clients = null,
    [property: JsonPropertyName("clients_truncated")] bool ClientsTruncated = false);

/// <summary>One client and how many of its connections are subscribed.</summary>
public sealed record PresenceClient(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("connections")] int Connections);

/// <summary>A connection that subscribed (<c>join</c>) or stopped being subscribed (<c>leave</c>), on any node.</summary>
public sealed record PresenceChange(
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("client_id")] string? ClientId = null)
{
    /// <summary>True for a join, false for a leave.</summary>
    public bool Joined => Event == "join";
}

/// <summary>
/// What a presence watcher is told: the presence as it is (<see cref="Snapshot"/>: when the watch starts, and again after
/// each reconnect, since changes made while away are not replayed), or changes since (<see cref="Changes"/>).
/// </summary>
public sealed record PresenceUpdate(Presence? Snapshot, IReadOnlyList<PresenceChange> Changes);
