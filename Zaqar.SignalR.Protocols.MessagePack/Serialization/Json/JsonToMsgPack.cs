using System.Buffers;
using System.Text.Json;
using Zaqar.SignalR.Protocols.MessagePack.Internal;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Json;

/// <summary>
/// Transcodes one JSON value to MessagePack: object to map (same key order), array to array, null to nil, true/false to
/// bool, string to str, and numbers by their text: an integer that fits int64 to the smallest int, one that fits only
/// uint64 to uint64, any other number (fraction, exponent, or an integer beyond uint64) to float64.
/// </summary>
/// <remarks>Iterative over the reader's tokens; the reader's own depth limit applies. Stateless and thread-safe.</remarks>
internal static class JsonToMsgPack
{
    private static readonly JsonReaderOptions _readerOptions = new()
    {
        // A JsonElement keeps its source text, which may include comments if its document was parsed allowing them.
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = MessagePackHubProtocolOptions.MaxDepthLimit * 4,
    };

    public static void Transcode(ReadOnlySpan<byte> json, MsgPackWriter writer)
    {
        var reader = new Utf8JsonReader(json, _readerOptions);
        if (!reader.Read())
        {
            throw new InvalidDataException("There is no JSON value to convert.");
        }

        Transcode(ref reader, writer);
    }

    /// <summary>Transcodes the value whose first token the reader is on, leaving the reader on its last token.</summary>
    public static void Transcode(ref Utf8JsonReader reader, MsgPackWriter writer)
    {
        var startDepth = reader.CurrentDepth;
        while (true)
        {
            WriteToken(ref reader, writer);

            // A scalar at the starting depth, or the end token of the container we started on, completes the value.
            if (reader.CurrentDepth == startDepth && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                return;
            }

            if (!reader.Read())
            {
                throw new InvalidDataException("The JSON value is incomplete.");
            }
        }
    }

    private static void WriteToken(ref Utf8JsonReader reader, MsgPackWriter writer)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                writer.Enter();
                writer.WriteMapHeader(CountChildren(reader, JsonTokenType.EndObject));
                break;
            case JsonTokenType.StartArray:
                writer.Enter();
                writer.WriteArrayHeader(CountChildren(reader, JsonTokenType.EndArray));
                break;
            case JsonTokenType.EndObject or JsonTokenType.EndArray:
                writer.Exit();
                break;
            case JsonTokenType.PropertyName or JsonTokenType.String:
                WriteString(ref reader, writer);
                break;
            case JsonTokenType.Number:
                WriteNumber(ref reader, writer);
                break;
            case JsonTokenType.True or JsonTokenType.False:
                writer.WriteBoolean(reader.TokenType == JsonTokenType.True);
                break;
            case JsonTokenType.Null:
                writer.WriteNil();
                break;
            default:
                throw new InvalidDataException($"Unexpected JSON token {reader.TokenType}.");
        }
    }

    /// <summary>Counts the direct children of the container the reader is on, reading ahead on a copy.</summary>
    private static int CountChildren(Utf8JsonReader lookahead, JsonTokenType endToken)
    {
        var depth = lookahead.CurrentDepth;
        var count = 0;
        while (lookahead.Read())
        {
            if (lookahead.CurrentDepth == depth && lookahead.TokenType == endToken)
            {
                return count;
            }

            if (lookahead.TokenType != JsonTokenType.PropertyName)
            {
                count++;
            }

            if (lookahead.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                lookahead.Skip();
            }
        }

        throw new InvalidDataException("The JSON value is incomplete.");
    }

    private static void WriteString(ref Utf8JsonReader reader, MsgPackWriter writer)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            writer.WriteStringUtf8(reader.ValueSpan);
            return;
        }

        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = reader.CopyString(rented);
            writer.WriteStringUtf8(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void WriteNumber(ref Utf8JsonReader reader, MsgPackWriter writer)
    {
        var text = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        if (text.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0)
        {
            if (reader.TryGetInt64(out var signed))
            {
                writer.WriteInt64(signed);
                return;
            }

            if (reader.TryGetUInt64(out var unsigned))
            {
                writer.WriteUInt64(unsigned);
                return;
            }
        }

        if (!reader.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            throw new InvalidDataException("A JSON number is outside the range of a 64-bit float.");
        }

        writer.WriteDouble(value);
    }
}
