using System.Globalization;
using System.Text;
using System.Text.Json;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>
/// The definition itself (issue 10), on values as a hub protocol binds them: a document parsed as it is, escapes and
/// duplicate keys kept. (The JSON test client cannot send an unpaired surrogate, so the hub tests send it raw.)
/// </summary>
public sealed class AcceptableJsonTests
{
    private static JsonElement Bound(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { MaxDepth = 1000 });
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.Clone();
    }

    [Theory]
    [InlineData("\"\\ud800\"", "unpaired surrogate")]
    [InlineData("[\"ok\",{\"k\":\"\\udc00\\ud800\"}]", "unpaired surrogate")]
    [InlineData("{\"\\udbff\":1}", "unpaired surrogate")]
    [InlineData("{\"a\":\"\\u0000\"}", "NUL")]
    [InlineData("{\"a\":1,\"b\":2,\"\\u0061\":3}", "duplicate key")]
    [InlineData("[1e400]", "number that is too large")]
    [InlineData("[-9223372036854775809]", "integer that is too large")]
    public void Issue10ABoundValueBreakingTheRuleIsRefusedAsABody(string json, string reason)
    {
        var refused = Assert.Throws<ZaqarException>(() => AcceptableJson.BodyText(Bound(json)));

        Assert.Equal((400, "Invalid request body"), (refused.Status, refused.Title));
        Assert.Contains(reason, refused.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Issue10DepthCountsContainersAndALimitDeepValueIsAccepted()
    {
        var deepest = new string('[', AcceptableJson.MaxDepth) + new string(']', AcceptableJson.MaxDepth);

        Assert.Equal(deepest, AcceptableJson.BodyText(Bound(deepest)));
        Assert.Same(AcceptableJson.TooDeep, Assert.Throws<ZaqarException>(() => AcceptableJson.BodyText(Bound($"[{deepest}]"))));
        Assert.Same(AcceptableJson.TooDeep, Assert.Throws<ZaqarException>(() => AcceptableJson.DocumentText(Bound(deepest), AcceptableJson.MaxDepth - 1)));
        Assert.Same(AcceptableJson.TooDeep, Assert.Throws<ZaqarException>(() => AcceptableJson.BodyText(Bound(new string('[', 900) + new string(']', 900)))));
    }

    [Fact]
    public void Issue10ABodyKeepsItsNumberSpellingsAndADocumentGetsPlainDecimals()
    {
        var value = Bound("""{"i":-0,"f":1E+2,"g":2.50,"e":1e-7,"":"\u00e9\ud83d\ude00"}""");

        Assert.Equal("""{"i":-0,"f":1E+2,"g":2.50,"e":1e-7,"":"é\uD83D\uDE00"}""", AcceptableJson.BodyText(value));
        Assert.Equal("0.0", AcceptableJson.PlainDecimal(-0.0)); // jsonb has no negative zero.
        Assert.Equal("""{"i":0,"f":100.0,"g":2.5,"e":0.0000001,"":"é\uD83D\uDE00"}""", AcceptableJson.DocumentText(value));
    }

    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(1.0, "1.0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(123.456, "123.456")]
    [InlineData(1e16, "10000000000000000.0")]
    [InlineData(1.5e-7, "0.00000015")]
    [InlineData(1.2345678901234568E+20, "123456789012345680000.0")]
    public void Issue10APlainDecimalIsTheShortestRoundTripWithoutExponent(double value, string expected)
    {
        var plain = AcceptableJson.PlainDecimal(value);

        Assert.Equal(expected, plain);
        Assert.Equal(value, double.Parse(plain, CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(double.MaxValue)]
    [InlineData(double.Epsilon)]
    [InlineData(-double.Epsilon)]
    [InlineData(1e300)]
    [InlineData(2.2250738585072014E-308)]
    public void Issue10APlainDecimalOfAnExtremeDoubleReadsBackAsThatDouble(double value)
    {
        var plain = AcceptableJson.PlainDecimal(value);

        Assert.DoesNotContain('E', plain);
        Assert.Contains('.', plain);
        Assert.Equal(value, double.Parse(plain, CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("plain text", true)]
    [InlineData("\\ud83d\\ude00 pair", true)]
    [InlineData("", true)]
    [InlineData("nul\\u0000", false)]
    [InlineData("\\ud800", false)]
    [InlineData("\\udc00\\ud800", false)]
    [InlineData("end\\ud83d", false)]
    public void Issue10TextIsAcceptableWithoutNulAndUnpairedSurrogates(string escaped, bool acceptable)
    {
        // Escaped here: test data with unpaired surrogates does not survive theory serialization.
        var text = System.Text.RegularExpressions.Regex.Unescape(escaped);

        Assert.Equal(acceptable, AcceptableJson.IsAcceptableText(text));
    }
}
