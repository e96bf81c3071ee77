using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Sockets;

/// <summary>
/// One pushed message as a websocket subscriber receives it (zaqar-v2-api.md 10.4): a frame with no envelope, in the
/// webhook format of section 5.2, <c>{"id", "body", "ttl", ["delay",] "queue_name", "Message_Type": "Notification"}</c>.
/// The id is ours (Zaqar leaves it out, section 12), so a subscriber can fetch, delete or claim what it was told about.
/// </summary>
/// <remarks>Encoded once for all subscribers of the queue: JSON at once, MessagePack on first use. Thread-safe.</remarks>
public sealed class SocketPush
{
    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private byte[]? _messagePack;

    public SocketPush(string queue, PushedMessageView message)
    {
        var buffer = new ArrayBufferWriter<byte>(message.Size + 160);
        using (var w = new Utf8JsonWriter(buffer, Writer))
        {
            w.WriteStartObject();
            w.WriteString("id", message.Id);
            w.WritePropertyName("body");
            message.Body.WriteTo(w);
            w.WriteNumber("ttl", message.Ttl);
            if (message.Delay > 0)
            {
                w.WriteNumber("delay", message.Delay);
            }
            w.WriteString("queue_name", queue);
            w.WriteString("Message_Type", "Notification");
            w.WriteEndObject();
        }
        Json = buffer.WrittenSpan.ToArray();
    }

    /// <summary>The JSON text (UTF-8) of the push.</summary>
    public byte[] Json { get; }

    /// <summary>The push for a subscriber that subscribed over a binary frame.</summary>
    public byte[] MessagePack => LazyInitializer.EnsureInitialized(ref _messagePack, () => SocketAnswers.Encode(Json, binary: true));
}
