using Zaqar.Data;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zaqar.Hub.Api;

/// <summary>A message as pushed to subscribers right after its post commits.</summary>
public sealed record PushedMessageView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("body")] JsonElement Body,
    [property: JsonPropertyName("ttl")] int Ttl,
    [property: JsonPropertyName("age")] long Age)
{
    [JsonPropertyName("delay")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Delay { get; init; }

    /// <summary>The body's size in bytes of JSON text (for bounding push buffers); not sent.</summary>
    [JsonIgnore]
    public int Size { get; init; }
}

/// <summary>The messages one post committed to one queue (or topic).</summary>
public sealed record PostedMessages(QueueRef Queue, IReadOnlyList<PushedMessageView> Messages, DateTime PostedAt);

/// <summary>
/// Told about every committed post, whatever the transport (push to subscribers, waking consumers).
/// </summary>
/// <remarks>
/// Called on the poster's path right after commit: implementations must only hand the work off (enqueue),
/// never wait on a subscriber, so a slow subscriber can't slow a poster.
/// </remarks>
public interface IMessageObserver
{
    void Posted(PostedMessages posted);
}
