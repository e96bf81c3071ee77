using System.Text;
using System.Text.Json;

namespace Zaqar.Bench;

/// <summary>The bench's messages: bodies whose JSON text is exactly 256 bytes.</summary>
internal static class Payloads
{
    public const int BodyBytes = 256;

    /// <summary>{"payload":"xxx…"} padded to <see cref="BodyBytes"/> bytes of JSON.</summary>
    public static readonly string Body = "{\"payload\":\"" + new string('x', BodyBytes - "{\"payload\":\"\"}".Length) + "\"}";

    /// <summary>A REST post document of <paramref name="count"/> messages.</summary>
    public static byte[] PostDocument(int count)
    {
        var messages = string.Join(",", Enumerable.Repeat($"{{\"body\":{Body},\"ttl\":3600}}", count));
        var document = Encoding.UTF8.GetBytes($"{{\"messages\":[{messages}]}}");
        using var parsed = JsonDocument.Parse(document); // Fail fast if the document is not what we think.
        return document;
    }
}
