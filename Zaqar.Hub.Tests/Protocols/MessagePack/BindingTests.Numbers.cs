using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

public partial class BindingTests
{
    [Fact]
    public void AnyIntWidthBindsToInt()
    {
        Assert.Equal(5, Bind<int>(b => b.Int(5)));
        Assert.Equal(5, Bind<int>(b => b.UInt8(5)));
        Assert.Equal(5, Bind<int>(b => b.UInt16(5)));
        Assert.Equal(5, Bind<int>(b => b.UInt32(5)));
        Assert.Equal(5, Bind<int>(b => b.UInt64(5)));
        Assert.Equal(-5, Bind<int>(b => b.Int8(-5)));
        Assert.Equal(-5, Bind<int>(b => b.Int16(-5)));
        Assert.Equal(-5, Bind<int>(b => b.Int32(-5)));
        Assert.Equal(-5, Bind<int>(b => b.Int64(-5)));
    }

    [Fact]
    public void AnyIntWidthBindsToLongAndShort()
    {
        Assert.Equal(1L << 40, Bind<long>(b => b.UInt64(1UL << 40)));
        Assert.Equal(long.MinValue, Bind<long>(b => b.Int64(long.MinValue)));
        Assert.Equal((short)-300, Bind<short>(b => b.Int64(-300)));
        Assert.Equal((short)300, Bind<short>(b => b.UInt32(300)));
        Assert.Equal(ulong.MaxValue, Bind<ulong>(b => b.UInt64(ulong.MaxValue)));
        Assert.Equal((byte)255, Bind<byte>(b => b.Int16(255)));
    }

    [Theory]
    [InlineData(typeof(int), 2_147_483_648L)]
    [InlineData(typeof(short), 32_768L)]
    [InlineData(typeof(byte), -1L)]
    [InlineData(typeof(uint), -1L)]
    [InlineData(typeof(sbyte), 128L)]
    public void IntegerOutOfRangeIsABindingFailure(Type type, long value)
    {
        var builder = new MsgPackBuilder().Array(5).Int(1).Map(0).Str("1").Str("M").Array(1).Int(value);
        var failure = Assert.IsType<Microsoft.AspNetCore.SignalR.Protocol.InvocationBindingFailureMessage>(
            ParseOne(new Zaqar.SignalR.Protocols.MessagePack.MessagePackHubProtocol(), builder.ToFrame(), TestBinder.For("M", type)));
        Assert.Contains("outside the range", failure.BindingFailure.SourceException.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UInt64AboveLongMaxIsABindingFailureForLong()
    {
        Assert.Contains("outside the range", BindFailure<long>(b => b.UInt64(ulong.MaxValue)), StringComparison.Ordinal);
    }

    [Fact]
    public void IntegralFloatBindsToIntAndFractionalFloatFails()
    {
        Assert.Equal(3, Bind<int>(b => b.Float64(3.0)));
        Assert.Contains("not an integer", BindFailure<int>(b => b.Float64(3.5)), StringComparison.Ordinal);
    }

    [Fact]
    public void FloatsAndIntsBindToDouble()
    {
        Assert.Equal(1.5, Bind<double>(b => b.Float64(1.5)));
        Assert.Equal(1.5, Bind<double>(b => b.Float32(1.5f)));
        Assert.Equal(7.0, Bind<double>(b => b.Int(7)));
        Assert.Equal(-9e15, Bind<double>(b => b.Int64(-9_000_000_000_000_000)));
        Assert.True(double.IsNaN(Bind<double>(b => b.Float64(double.NaN))));
    }

    [Fact]
    public void NilBindsToNullableAndFailsForNonNullable()
    {
        Assert.Null(Bind<int?>(b => b.Nil()));
        Assert.Equal(4, Bind<int?>(b => b.Int(4)));
        Assert.Null(Bind<double?>(b => b.Nil()));
        Assert.Contains("nil", BindFailure<int>(b => b.Nil()), StringComparison.Ordinal);
    }

    [Fact]
    public void StringForAnIntIsABindingFailureNamingBothTypes()
    {
        var error = BindFailure<int>(b => b.Str("5"));
        Assert.Contains("str", error, StringComparison.Ordinal);
        Assert.Contains("Int32", error, StringComparison.Ordinal);
    }

    [Fact]
    public void DecimalBindsFromStringIntAndFloat()
    {
        Assert.Equal(12.50m, Bind<decimal>(b => b.Str("12.50")));
        Assert.Equal(12m, Bind<decimal>(b => b.Int(12)));
        Assert.Equal(0.25m, Bind<decimal>(b => b.Float64(0.25)));
    }
}
