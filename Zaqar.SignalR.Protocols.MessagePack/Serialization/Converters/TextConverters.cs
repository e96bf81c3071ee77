using System.Globalization;
using Zaqar.SignalR.Protocols.MessagePack.Internal;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Converters;

/// <summary><see cref="bool"/>: true/false only.</summary>
internal sealed class BooleanConverter() : MsgPackConverter(typeof(bool))
{
    public override void Write(MsgPackWriter writer, object value) => writer.WriteBoolean((bool)value);

    public override object? Read(ref MsgPackReader reader) =>
        reader.NextType == MsgPackType.Boolean ? reader.ReadBoolean() : throw Mismatch(ref reader);
}

/// <summary><see cref="string"/>: str only.</summary>
internal sealed class StringConverter() : MsgPackConverter(typeof(string))
{
    public override void Write(MsgPackWriter writer, object value) => writer.WriteString((string)value);

    public override object? Read(ref MsgPackReader reader) =>
        reader.NextType == MsgPackType.String ? reader.ReadString() : throw Mismatch(ref reader);
}

/// <summary>
/// <see cref="char"/>: written as a one-character str, as System.Text.Json writes it; reads that or an int code unit
/// (MessagePack-CSharp writes chars as ints).
/// </summary>
internal sealed class CharConverter() : MsgPackConverter(typeof(char))
{
    public override void Write(MsgPackWriter writer, object value)
    {
        var c = (char)value;
        writer.WriteString(new ReadOnlySpan<char>(in c));
    }

    public override object? Read(ref MsgPackReader reader)
    {
        switch (reader.NextType)
        {
            case MsgPackType.String:
                var text = reader.ReadString();
                return text.Length == 1 ? text[0] : throw new BindingException($"Expected one character, found {text.Length}.");
            case MsgPackType.Integer:
                var code = reader.ReadInteger();
                return code >= char.MinValue && code <= char.MaxValue
                    ? (char)code
                    : throw new BindingException($"The integer {code} is not a UTF-16 code unit.");
            default:
                throw Mismatch(ref reader);
        }
    }
}

/// <summary><see cref="Guid"/>: written as a str in "D" format (as System.Text.Json does); reads any format Guid parses.</summary>
internal sealed class GuidConverter() : MsgPackConverter(typeof(Guid))
{
    public override void Write(MsgPackWriter writer, object value)
    {
        Span<char> text = stackalloc char[36];
        ((Guid)value).TryFormat(text, out var written, "D");
        writer.WriteString(text[..written]);
    }

    public override object? Read(ref MsgPackReader reader)
    {
        if (reader.NextType != MsgPackType.String)
        {
            throw Mismatch(ref reader);
        }

        var text = reader.ReadString();
        return Guid.TryParse(text, out var guid)
            ? guid
            : throw new BindingException($"The string \"{DecimalConverter.Truncate(text)}\" is not a GUID.");
    }
}

/// <summary>
/// <see cref="TimeSpan"/>: written as a str in the constant ("c") format System.Text.Json uses ("1.02:03:04.5000000"),
/// so both protocols send the same value; reads that, or an int tick count (MessagePack-CSharp's form).
/// </summary>
internal sealed class TimeSpanConverter() : MsgPackConverter(typeof(TimeSpan))
{
    public override void Write(MsgPackWriter writer, object value)
    {
        Span<char> text = stackalloc char[32];
        ((TimeSpan)value).TryFormat(text, out var written, "c", CultureInfo.InvariantCulture);
        writer.WriteString(text[..written]);
    }

    public override object? Read(ref MsgPackReader reader)
    {
        switch (reader.NextType)
        {
            case MsgPackType.String:
                var text = reader.ReadString();
                return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span)
                    ? span
                    : throw new BindingException($"The string \"{DecimalConverter.Truncate(text)}\" is not a TimeSpan.");
            case MsgPackType.Integer:
                var ticks = reader.ReadInteger();
                return ticks >= long.MinValue && ticks <= long.MaxValue
                    ? TimeSpan.FromTicks((long)ticks)
                    : throw new BindingException($"The tick count {ticks} is outside the range of TimeSpan.");
            default:
                throw Mismatch(ref reader);
        }
    }
}
