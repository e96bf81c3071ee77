using System.Globalization;
using Zaqar.SignalR.Protocols.MessagePack.Internal;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Converters;

/// <summary>
/// <c>byte[]</c>, <c>ArraySegment&lt;byte&gt;</c>, <c>Memory&lt;byte&gt;</c> and <c>ReadOnlyMemory&lt;byte&gt;</c>: written
/// as bin. Reads bin, or a base64 str (System.Text.Json's form, so a value copied from a JSON body still binds).
/// </summary>
internal sealed class BinaryConverter(Type type) : MsgPackConverter(type)
{
    public override void Write(MsgPackWriter writer, object value) => writer.WriteBinary(value switch
    {
        byte[] array => array,
        ArraySegment<byte> segment => segment,
        Memory<byte> memory => memory.Span,
        ReadOnlyMemory<byte> memory => memory.Span,
        _ => throw new InvalidOperationException($"{value.GetType()} is not a byte buffer."),
    });

    public override object? Read(ref MsgPackReader reader)
    {
        byte[] bytes;
        switch (reader.NextType)
        {
            case MsgPackType.Binary:
                bytes = reader.ReadBinary().ToArray();
                break;
            case MsgPackType.String:
                var text = reader.ReadString();
                try
                {
                    bytes = Convert.FromBase64String(text);
                }
                catch (FormatException ex)
                {
                    throw new BindingException("A string bound to a byte array is not valid base64.", ex);
                }

                break;
            default:
                throw Mismatch(ref reader);
        }

        // Each branch is boxed on its own: byte[] converts implicitly to the other three, which would pick their type.
        if (Type == typeof(byte[]))
        {
            return bytes;
        }

        return Type == typeof(ArraySegment<byte>) ? new ArraySegment<byte>(bytes)
            : Type == typeof(Memory<byte>) ? (object)new Memory<byte>(bytes)
            : new ReadOnlyMemory<byte>(bytes);
    }
}

/// <summary>
/// <see cref="DateTime"/>: written as the timestamp extension (-1), in UTC (Local converted, Unspecified taken as UTC),
/// the form JavaScript's Date uses. Reads a timestamp in any of its three encodings (result Kind=Utc) or an ISO 8601 str.
/// </summary>
internal sealed class DateTimeConverter() : MsgPackConverter(typeof(DateTime))
{
    public override void Write(MsgPackWriter writer, object value) => writer.WriteTimestamp((DateTime)value);

    public override object? Read(ref MsgPackReader reader) => reader.NextType switch
    {
        MsgPackType.Extension => reader.ReadTimestamp(),
        MsgPackType.String => ParseIso(reader.ReadString()).UtcDateTime,
        _ => throw Mismatch(ref reader),
    };

    internal static DateTimeOffset ParseIso(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : throw new BindingException($"The string \"{DecimalConverter.Truncate(text)}\" is not an ISO 8601 date.");
}

/// <summary>
/// <see cref="DateTimeOffset"/>: written as the timestamp extension of its UTC instant (the offset is not sent, so it
/// reads back as +00:00). Reads a timestamp, an ISO 8601 str, or MessagePack-CSharp's [timestamp-of-clock-time,
/// offset-minutes] pair.
/// </summary>
internal sealed class DateTimeOffsetConverter() : MsgPackConverter(typeof(DateTimeOffset))
{
    public override void Write(MsgPackWriter writer, object value) => writer.WriteTimestamp(((DateTimeOffset)value).UtcDateTime);

    public override object? Read(ref MsgPackReader reader)
    {
        switch (reader.NextType)
        {
            case MsgPackType.Extension:
                return new DateTimeOffset(reader.ReadTimestamp());
            case MsgPackType.String:
                return DateTimeConverter.ParseIso(reader.ReadString());
            case MsgPackType.Array:
                if (reader.ReadArrayHeader() != 2)
                {
                    throw new BindingException("A DateTimeOffset array must hold [timestamp, offset minutes].");
                }

                var clock = reader.ReadTimestamp();
                var minutes = reader.ReadInteger();
                if (minutes < -14 * 60 || minutes > 14 * 60)
                {
                    throw new BindingException($"The offset {minutes} minutes is outside ±14 hours.");
                }

                return new DateTimeOffset(clock.Ticks, TimeSpan.FromMinutes((int)minutes));
            default:
                throw Mismatch(ref reader);
        }
    }
}
