using System.Text.Json;
using Zaqar.SignalR.Protocols.MessagePack.Internal;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Json;

/// <summary>
/// A pooled buffer plus a <see cref="Utf8JsonWriter"/> over it, for the few places where JSON text is the value itself
/// (JsonElement, JsonNode) or where a System.Text.Json converter has to run.
/// </summary>
/// <remarks>Not thread-safe; one instance per use, from <see cref="Rent"/>, given back with <see cref="Dispose"/>.</remarks>
internal sealed class JsonScratch : IDisposable
{
    [ThreadStatic]
    private static JsonScratch? _cached;

    private readonly PooledBufferWriter _buffer = new();
    private Utf8JsonWriter? _writer;
    private System.Text.Encodings.Web.JavaScriptEncoder? _encoder;

    private JsonScratch()
    {
    }

    public Utf8JsonWriter Writer => _writer!;

    /// <summary>The JSON written so far (flushes the writer first).</summary>
    public ReadOnlySpan<byte> Written
    {
        get
        {
            _writer!.Flush();
            return _buffer.WrittenSpan;
        }
    }

    public static JsonScratch Rent(JsonSerializerOptions options)
    {
        var scratch = _cached ?? new JsonScratch();
        _cached = null;
        scratch._buffer.Clear();

        // Our transcoders only produce well-formed JSON, so the writer's own validation would be pure overhead.
        if (scratch._writer is null || !ReferenceEquals(scratch._encoder, options.Encoder))
        {
            scratch._writer?.Dispose();
            scratch._writer = new Utf8JsonWriter(
                scratch._buffer, new JsonWriterOptions { Encoder = options.Encoder, SkipValidation = true });
            scratch._encoder = options.Encoder;
        }
        else
        {
            scratch._writer.Reset(scratch._buffer);
        }

        return scratch;
    }

    public void Dispose()
    {
        _buffer.Clear();
        _buffer.TrimExcess();
        _cached = this;
    }
}
