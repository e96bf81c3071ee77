using System.Text.Json;
using Zaqar.SignalR.Protocols.MessagePack;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>How each supported .NET type is written, and that it reads back.</summary>
public class TypeMappingTests
{
    [Fact]
    public void DecimalIsWrittenAsAnInvariantString()
    {
        Assert.Equal(Hex("a5 31 32 2e 35 30"), Encode(12.50m));
        Assert.Equal(-0.0001m, Bind<decimal>(b => b.Raw(Encode(-0.0001m))));
    }

    [Fact]
    public void TimeSpanIsWrittenInSystemTextJsonsConstantFormat()
    {
        var value = new TimeSpan(1, 2, 3, 4, 500);
        Assert.Equal(Hex("b2") .Concat("1.02:03:04.5000000"u8.ToArray()).ToArray(), Encode(value));
        Assert.Equal(value, Bind<TimeSpan>(b => b.Raw(Encode(value))));
        Assert.Equal(TimeSpan.FromTicks(15), Bind<TimeSpan>(b => b.Int(15)));
    }

    [Fact]
    public void GuidIsWrittenAsADashedString()
    {
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        Assert.Equal(Hex("d9 24").Concat("0f8fad5b-d9cb-469f-a165-70867728950e"u8.ToArray()).ToArray(), Encode(guid));
        Assert.Equal(guid, Bind<Guid>(b => b.Raw(Encode(guid))));
    }

    [Fact]
    public void CharIsAOneCharacterStringAndAlsoReadsFromAnInt()
    {
        Assert.Equal(Hex("a1 78"), Encode('x'));
        Assert.Equal('x', Bind<char>(b => b.Int('x')));
    }

    [Fact]
    public void EnumsAreNumbersByDefaultAndStringsWithAStringEnumConverter()
    {
        Assert.Equal(Hex("01"), Encode(Priority.High));
        Assert.Equal(Priority.High, Bind<Priority>(b => b.Int(1)));
        Assert.Equal(Priority.High, Bind<Priority>(b => b.Str("high")));
        Assert.Contains("outside the range", BindFailure<Priority>(b => b.Int(1L << 40)), StringComparison.Ordinal);

        var stringEnums = new MessagePackHubProtocol(new MessagePackHubProtocolOptions
        {
            SerializerOptions = new JsonSerializerOptions { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } },
        });
        Assert.Equal(Hex("a4 48 69 67 68"), Encode(Priority.High, stringEnums));
        Assert.Equal(Hex("ab") .Concat("Read, Write"u8.ToArray()).ToArray(), Encode(Access.Read | Access.Write, stringEnums));
        Assert.Equal(Priority.High, Bind<Priority>(b => b.Str("High"), stringEnums));
        Assert.Equal(Access.Read | Access.Write, Bind<Access>(b => b.Str("Read, Write"), stringEnums));
    }

    [Fact]
    public void MemberLevelStringEnumConverterApplies()
    {
        var encoded = Encode(new WithEnums { Priority = Priority.High, Named = Priority.High });
        Assert.Equal(Hex("82 a8 70 72 69 6f 72 69 74 79 01 a5 6e 61 6d 65 64 a4 48 69 67 68"), encoded);
        Assert.Equal(Priority.High, Bind<WithEnums>(b => b.Raw(encoded))!.Named);
    }

    [Fact]
    public void ByteBuffersAreBinAndAlsoReadFromBase64()
    {
        Assert.Equal(Hex("c4 03 01 02 03"), Encode(new byte[] { 1, 2, 3 }));
        Assert.Equal(Hex("c4 01 07"), Encode(new ReadOnlyMemory<byte>([7])));
        Assert.Equal([1, 2, 3], Bind<byte[]>(b => b.Bin([1, 2, 3]))!);
        Assert.Equal([1, 2, 3], Bind<byte[]>(b => b.Str("AQID"))!);
    }

    [Fact]
    public void SequencesAreArraysAndReadIntoTheDeclaredShape()
    {
        Assert.Equal(Hex("93 01 02 03"), Encode(new List<int> { 1, 2, 3 }));
        Assert.Equal(Hex("92 01 02"), Encode(Enumerable.Range(1, 2)));
        Assert.Equal([1, 2], Bind<int[]>(b => b.Array(2).Int(1).Int(2))!);
        Assert.Equal([1, 2], Bind<List<int>>(b => b.Array(2).Int(1).Int(2))!);
        Assert.Equal([1, 2], Bind<IReadOnlyList<int>>(b => b.Array(2).Int(1).Int(2))!);
        Assert.Equal([1, 2], Bind<IList<int>>(b => b.Array(2).Int(1).Int(2))!);
        Assert.Equal([1, 2], Bind<IEnumerable<int>>(b => b.Array(2).Int(1).Int(2))!);
        Assert.Equal([1, 2], Bind<HashSet<int>>(b => b.Array(2).Int(1).Int(2))!);
        Assert.Contains("$[1]", BindFailure<int[]>(b => b.Array(2).Int(1).Str("x")), StringComparison.Ordinal);
    }

    [Fact]
    public void StringKeyedDictionariesAreMaps()
    {
        var value = new Dictionary<string, int> { ["b"] = 2, ["a"] = 1 };
        Assert.Equal(Hex("82 a1 62 02 a1 61 01"), Encode(value));
        Assert.Equal(value, Bind<Dictionary<string, int>>(b => b.Raw(Encode(value)))!);
        Assert.Equal(value, Bind<IReadOnlyDictionary<string, int>>(b => b.Raw(Encode(value)))!);
    }

    [Fact]
    public void NonStringKeyedDictionariesFallBackToSystemTextJson()
    {
        var value = new Dictionary<int, string> { [1] = "a" };
        Assert.Equal(Hex("81 a1 31 a1 61"), Encode(value));
        Assert.Equal(value, Bind<Dictionary<int, string>>(b => b.Raw(Encode(value)))!);
    }

    [Fact]
    public void ObjectParametersReadNaturalTypes()
    {
        var value = Bind<object>(b => b.Map(8)
            .Str("b").Bool(true).Str("i").Int(-3).Str("u").UInt64(ulong.MaxValue).Str("d").Float32(0.5f)
            .Str("s").Str("x").Str("bin").Bin([9]).Str("a").Array(1).Nil().Str("t").Ext(-1, [0, 0, 0, 0]));

        var map = Assert.IsType<Dictionary<string, object?>>(value);
        Assert.Equal(true, map["b"]);
        Assert.Equal(-3L, map["i"]);
        Assert.Equal(ulong.MaxValue, map["u"]);
        Assert.Equal(0.5, map["d"]);
        Assert.Equal("x", map["s"]);
        Assert.Equal([9], Assert.IsType<byte[]>(map["bin"]));
        Assert.Equal([null], Assert.IsType<object?[]>(map["a"]));
        Assert.Equal(DateTime.UnixEpoch, map["t"]);
    }

    [Fact]
    public void ObjectValuesAreWrittenByTheirRuntimeType()
    {
        Assert.Equal(Hex("80"), Encode(new object()));
        Assert.Equal(Encode(new Lease("q", 1)), Encode((object)new Lease("q", 1)));
        Assert.Equal(Hex("92 01 a1 61"), Encode(new object[] { 1, "a" }));
    }

    [Fact]
    public void TypesWithCustomConvertersGoThroughSystemTextJson()
    {
        Assert.Equal(Hex("aa 32 30 32 34 2d 30 31 2d 30 32"), Encode(new DateOnly(2024, 1, 2)));
        Assert.Equal(new DateOnly(2024, 1, 2), Bind<DateOnly>(b => b.Str("2024-01-02")));
        Assert.Equal(new Uri("https://example.test/a"), Bind<Uri>(b => b.Str("https://example.test/a")));
    }

    [Fact]
    public void CyclicGraphsFailToWriteInsteadOfOverflowingTheStack()
    {
        var node = new Node { Value = 1 };
        node.Next = node;
        Assert.Throws<InvalidOperationException>(() => Encode(node));
    }
}
