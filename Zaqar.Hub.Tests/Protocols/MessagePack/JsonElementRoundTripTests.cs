using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Protocol;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>
/// Arbitrary JSON bodies posted over MessagePack must read back over JSON unchanged: Zaqar's formatters map System.Text.Json
/// values to native MessagePack and back (issue 11).
/// </summary>
public class JsonElementRoundTripTests
{
    private readonly MessagePackHubProtocol _protocol = Server;

    [Theory]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("9223372036854775807")]
    [InlineData("-9223372036854775808")]
    [InlineData("18446744073709551615")]
    [InlineData("1.5")]
    [InlineData("2.0")]
    [InlineData("-0.0")]
    [InlineData("1E+300")]
    [InlineData("5E-324")]
    [InlineData("0.1")]
    [InlineData("\"\"")]
    [InlineData("\"text with \\\"quotes\\\", \\\\ and \\n\"")]
    [InlineData("\"ünïcødé 𝄞\"")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("[1,\"a\",null,true,[[]],{\"k\":{}}]")]
    [InlineData("{\"z\":1,\"a\":2,\"m\":[3.25,{\"deep\":{\"er\":[null]}}],\"\":\"empty key\"}")]
    public void JsonValuesOfEveryKindRoundTripExactly(string json)
    {
        using var document = JsonDocument.Parse(json);
        var back = RoundTripElement(document.RootElement);

        Assert.Equal(OverJson(document.RootElement), OverJson(back));
        Assert.True(JsonElement.DeepEquals(document.RootElement, back));
    }

    [Fact]
    public void KeyOrderIsPreserved()
    {
        var back = RoundTripElement(JsonDocument.Parse("{\"b\":1,\"a\":2,\"c\":3}").RootElement);
        Assert.Equal(["b", "a", "c"], back.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void IntegralFloatStaysAFloatThroughJson()
    {
        // A .NET client sends 2.0 as float64; it must come back as float64, not as the int 2.
        var element = Bind<JsonElement>(b => b.Float64(2.0));
        Assert.Equal("2.0", element.GetRawText());
        Assert.Equal(Hex("cb 40 00 00 00 00 00 00 00"), Encode(element));
        Assert.Equal(Hex("02"), Encode(JsonDocument.Parse("2").RootElement));
    }

    [Fact]
    public void IntegersBeyondUInt64BecomeFloat64()
    {
        var encoded = Encode(JsonDocument.Parse("123456789012345678901234567890").RootElement);
        Assert.Equal(0xcb, encoded[0]);
        Assert.Equal(1.2345678901234568E+29, System.Buffers.Binary.BinaryPrimitives.ReadDoubleBigEndian(encoded.AsSpan(1)));
    }

    [Fact]
    public void UInt64RangeIntegersStayIntegers()
    {
        Assert.Equal(Hex("cf ff ff ff ff ff ff ff ff"), Encode(JsonDocument.Parse("18446744073709551615").RootElement));
    }

    [Fact]
    public void BinaryInAJsonPositionBecomesABase64String()
    {
        Assert.Equal("\"AQID\"", Bind<JsonElement>(b => b.Bin([1, 2, 3])).GetRawText());
    }

    [Fact]
    public void TimestampInAJsonPositionBecomesAnIsoString()
    {
        Assert.Equal("\"2020-01-02T03:04:05Z\"", Bind<JsonElement>(b => b.Ext(-1, [0x5e, 0x0d, 0x5d, 0xa5])).GetRawText());
    }

    [Fact]
    public void OtherExtensionsAndNonFiniteFloatsAreBindingFailures()
    {
        Assert.IsType<InvocationBindingFailureMessage>(BindArgument<JsonElement>(b => b.Ext(5, [1])));
        Assert.IsType<InvocationBindingFailureMessage>(BindArgument<JsonElement>(b => b.Float64(double.NaN)));
        Assert.IsType<InvocationBindingFailureMessage>(BindArgument<JsonElement>(b => b.Float32(float.PositiveInfinity)));
    }

    [Fact]
    public void NilBindsToAJsonElementOfKindNull()
    {
        Assert.Equal(JsonValueKind.Null, Bind<JsonElement>(b => b.Nil()).ValueKind);
        Assert.Null(Bind<JsonNode>(b => b.Nil()));
    }

    [Fact]
    public void JsonNodeAndJsonDocumentRoundTrip()
    {
        const string json = "{\"a\":[1,2.5,\"x\"],\"b\":{\"c\":null}}";
        var node = Bind<JsonNode>(b => b.Raw(Encode(JsonNode.Parse(json))))!;
        Assert.Equal(json, node.ToJsonString());

        var obj = Bind<JsonObject>(b => b.Raw(Encode(JsonNode.Parse(json))))!;
        Assert.Equal(2, obj.Count);

        using var document = Bind<JsonDocument>(b => b.Raw(Encode(JsonDocument.Parse(json))))!;
        Assert.Equal(json, document.RootElement.GetRawText());
    }

    [Fact]
    public void JsonArrayWhereAnObjectIsExpectedIsABindingFailure()
    {
        Assert.IsType<InvocationBindingFailureMessage>(BindArgument<JsonObject>(b => b.Array(0)));
    }

    [Fact]
    public void JsonBodyInsideADtoReadsBackOverTheJsonProtocolIdentically()
    {
        const string body = "{\"order\":[3,1,2],\"meta\":{\"by\":\"x\",\"at\":1.25}}";
        var sent = new Envelope { Kind = "k", Body = JsonDocument.Parse(body).RootElement };

        var received = Bind<Envelope>(b => b.Raw(Encode(sent)))!;
        var json = new JsonHubProtocol();
        var overJson = System.Text.Encoding.UTF8.GetString(json.GetMessageBytes(new InvocationMessage("T", [received.Body])).Span);

        Assert.Contains("\"arguments\":[" + body + "]", overJson, StringComparison.Ordinal);
    }

    [Fact]
    public void MapKeysThatAreNotStringsAndInvalidUtf8AreBindingFailures()
    {
        Assert.IsType<InvocationBindingFailureMessage>(BindArgument<JsonElement>(b => b.Map(1).Int(1).Str("one")));
        Assert.IsType<InvocationBindingFailureMessage>(BindArgument<JsonElement>(b => b.Raw(0xa2, 0xc3, 0x28)));
    }

    [Fact]
    public void ADefaultJsonElementIsWrittenAsNil()
    {
        Assert.Equal(Hex("c0"), Encode(default(JsonElement)));
        Assert.Equal(Hex("c0"), Encode((JsonElement?)null));
    }

    [Fact]
    public void StringsAndNamesWithEscapesAreWrittenUnescaped()
    {
        var element = JsonDocument.Parse("""{"a\u0062":"\u00e9\n"}""").RootElement;
        Assert.Equal(new MsgPackBuilder().Map(1).Str("ab").Str("é\n").ToArray(), Encode(element));
    }

    private JsonElement RoundTripElement(JsonElement element)
    {
        var bytes = Encode(element, _protocol);
        return Bind<JsonElement>(b => b.Raw(bytes), _protocol);
    }

    /// <summary>The text the JSON hub protocol would send for the value.</summary>
    private static string OverJson(JsonElement element) =>
        JsonSerializer.Serialize(element, new Microsoft.AspNetCore.SignalR.JsonHubProtocolOptions().PayloadSerializerOptions);
}
