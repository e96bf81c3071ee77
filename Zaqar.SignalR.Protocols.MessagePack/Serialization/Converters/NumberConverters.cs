using System.Numerics;
using Zaqar.SignalR.Protocols.MessagePack.Internal;

namespace Zaqar.SignalR.Protocols.MessagePack.Serialization.Converters;

/// <summary>
/// Any .NET integer type. Reads every MessagePack int width (JavaScript picks the smallest form for each value, so an
/// <c>int</c> parameter can arrive as uint8 or int64) plus integral floats, range-checked: a value the type cannot hold
/// is a binding failure, never a silent truncation. Writes the smallest form.
/// </summary>
internal sealed class IntegerConverter<T>() : MsgPackConverter(typeof(T))
    where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
{
    private static readonly bool _signed = T.IsNegative(T.MinValue);

    public override void Write(MsgPackWriter writer, object value)
    {
        if (_signed)
        {
            writer.WriteInt64(long.CreateTruncating((T)value));
        }
        else
        {
            writer.WriteUInt64(ulong.CreateTruncating((T)value));
        }
    }

    public override object? Read(ref MsgPackReader reader)
    {
        Int128 value;
        switch (reader.NextType)
        {
            case MsgPackType.Integer:
                value = reader.ReadInteger();
                break;
            case MsgPackType.Float:
                var number = reader.ReadDouble();
                if (!double.IsInteger(number) || Math.Abs(number) > 1e20)
                {
                    throw new BindingException($"The number {number} is not an integer that fits in {typeof(T).Name}.");
                }

                value = (Int128)number;
                break;
            default:
                throw Mismatch(ref reader);
        }

        if (value < Int128.CreateTruncating(T.MinValue) || value > Int128.CreateTruncating(T.MaxValue))
        {
            throw new BindingException(
                $"The integer {value} is outside the range of {typeof(T).Name} ({T.MinValue} to {T.MaxValue}).");
        }

        return T.CreateTruncating(value);
    }
}

/// <summary><see cref="double"/>: written as float64; reads float32, float64 or any int.</summary>
internal sealed class DoubleConverter() : MsgPackConverter(typeof(double))
{
    public override void Write(MsgPackWriter writer, object value) => writer.WriteDouble((double)value);

    public override object? Read(ref MsgPackReader reader) =>
        reader.NextType is MsgPackType.Float or MsgPackType.Integer ? reader.ReadDouble() : throw Mismatch(ref reader);
}

/// <summary><see cref="float"/>: written as float32 (as MessagePack-CSharp does); reads float32, float64 or any int.</summary>
internal sealed class SingleConverter() : MsgPackConverter(typeof(float))
{
    public override void Write(MsgPackWriter writer, object value) => writer.WriteSingle((float)value);

    public override object? Read(ref MsgPackReader reader) =>
        reader.NextType is MsgPackType.Float or MsgPackType.Integer ? (float)reader.ReadDouble() : throw Mismatch(ref reader);
}

/// <summary>
/// <see cref="decimal"/>: written as a str in invariant culture ("12.50"), because no MessagePack number holds a decimal
/// exactly and the JSON protocol keeps the exact digits too; MessagePack-CSharp also writes a string. Reads str, any int,
/// or a float.
/// </summary>
internal sealed class DecimalConverter() : MsgPackConverter(typeof(decimal))
{
    public override void Write(MsgPackWriter writer, object value) =>
        writer.WriteString(((decimal)value).ToString(System.Globalization.CultureInfo.InvariantCulture));

    public override object? Read(ref MsgPackReader reader)
    {
        switch (reader.NextType)
        {
            case MsgPackType.String:
                var text = reader.ReadString();
                return decimal.TryParse(
                    text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                    ? parsed
                    : throw new BindingException($"The string \"{Truncate(text)}\" is not a decimal number.");
            case MsgPackType.Integer:
                var integer = reader.ReadInteger();
                return integer >= (Int128)decimal.MinValue && integer <= (Int128)decimal.MaxValue
                    ? (decimal)integer
                    : throw new BindingException($"The integer {integer} is outside the range of Decimal.");
            case MsgPackType.Float:
                var number = reader.ReadDouble();
                return double.IsFinite(number) && Math.Abs(number) < (double)decimal.MaxValue
                    ? (decimal)number
                    : throw new BindingException($"The number {number} is outside the range of Decimal.");
            default:
                throw Mismatch(ref reader);
        }
    }

    internal static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
