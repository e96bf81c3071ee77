using System.Text.Json.Serialization;

namespace Zaqar.Hub.Api;

/// <summary>
/// Who listens to a queue (issue 13): the connections subscribed to it on every live node, and for callers allowed to
/// see them (the project's own credentials, or an admin; not a pre-signed URL) the clients behind them, in client id order.
/// </summary>
public sealed record PresenceView([property: JsonPropertyName("connections")] int Connections)
{
    [JsonPropertyName("clients")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<PresenceClientView>? Clients { get; init; }

    /// <summary>True when there were more clients than an answer lists (Presence:MaxClientsListed).</summary>
    [JsonPropertyName("clients_truncated")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ClientsTruncated { get; init; }
}

/// <summary>One client (Client-ID) and how many of its connections are subscribed.</summary>
public sealed record PresenceClientView(
    [property: JsonPropertyName("client_id")] string ClientId,
    [property: JsonPropertyName("connections")] int Connections);

/// <summary>A connection subscribed to a watched queue (<c>join</c>) or stopped being (<c>leave</c>), on any node.</summary>
public sealed record PresenceEventView([property: JsonPropertyName("event")] string Event)
{
    public const string Join = "join";
    public const string Leave = "leave";

    /// <summary>The connection's Client-ID, for watchers allowed to see clients (see <see cref="PresenceView"/>).</summary>
    [JsonPropertyName("client_id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ClientId { get; init; }
}
