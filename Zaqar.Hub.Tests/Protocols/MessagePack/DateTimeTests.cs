using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>The timestamp extension (-1) in its three encodings, as @msgpack/msgpack writes a JavaScript Date.</summary>
public class DateTimeTests
{
    private static readonly DateTime _whole = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public void Timestamp32BindsWholeSeconds()
    {
        var value = Bind<DateTime>(b => b.Ext(-1, Hex("5e 0d 5d a5")));
        Assert.Equal(_whole, value);
        Assert.Equal(DateTimeKind.Utc, value.Kind);
    }

    [Fact]
    public void Timestamp64BindsMilliseconds()
    {
        // nanoseconds 123_000_000 << 34 | seconds
        var packed = (123_000_000UL << 34) | 0x5e0d5da5UL;
        var bytes = BitConverter.GetBytes(packed).Reverse().ToArray();

        Assert.Equal(_whole.AddMilliseconds(123), Bind<DateTime>(b => b.Ext(-1, bytes)));
    }

    [Fact]
    public void Timestamp96BindsDatesBefore1970()
    {
        var bytes = Hex("00 00 00 00 ff ff ff ff ff ff ff ff"); // -1 second, 0 ns
        Assert.Equal(new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc), Bind<DateTime>(b => b.Ext(-1, bytes)));
    }

    [Fact]
    public void WriterPicksTheSmallestEncodingLikeTheJsClient()
    {
        Assert.Equal(Hex("d6 ff 5e 0d 5d a5"), Encode(_whole));
        Assert.Equal(0xd7, Encode(_whole.AddMilliseconds(1))[0]);
        Assert.Equal(Hex("c7 0c ff 00 00 00 00 ff ff ff ff ff ff ff ff"), Encode(new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc)));
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00.0000000Z")]
    [InlineData("1969-07-20T20:17:40.1234567Z")]
    [InlineData("2038-01-19T03:14:08.0000000Z")]
    [InlineData("2514-05-30T01:53:04.0000000Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    public void DateTimesRoundTripWithTickPrecision(string iso)
    {
        var value = DateTime.Parse(iso, null, System.Globalization.DateTimeStyles.RoundtripKind);
        Assert.Equal(value, Bind<DateTime>(b => b.Raw(Encode(value))));
    }

    [Fact]
    public void LocalTimesAreSentAsUtc()
    {
        var local = new DateTime(2024, 6, 1, 12, 0, 0, DateTimeKind.Local);
        Assert.Equal(local.ToUniversalTime(), Bind<DateTime>(b => b.Raw(Encode(local))));
    }

    [Fact]
    public void DateTimeOffsetIsSentAsItsUtcInstant()
    {
        var value = new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.FromHours(2));
        var back = Bind<DateTimeOffset>(b => b.Raw(Encode(value)));

        Assert.Equal(value, back);
        Assert.Equal(TimeSpan.Zero, back.Offset);
    }

    [Fact]
    public void IsoStringsAlsoBindToDates()
    {
        Assert.Equal(_whole, Bind<DateTime>(b => b.Str("2020-01-02T03:04:05Z")));
        Assert.Equal(TimeSpan.FromHours(2), Bind<DateTimeOffset>(b => b.Str("2020-01-02T05:04:05+02:00")).Offset);
    }

    [Fact]
    public void MalformedTimestampLengthMakesTheFrameInvalid()
    {
        Assert.Throws<InvalidDataException>(() => BindArgument<DateTime>(b => b.Ext(-1, [1, 2, 3])));
    }

    [Fact]
    public void OtherExtensionTypeForADateIsABindingFailure()
    {
        Assert.Contains("extension type 3", BindFailure<DateTime>(b => b.Ext(3, [1, 2, 3, 4])), StringComparison.Ordinal);
    }
}
