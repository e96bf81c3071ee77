using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.SignalR.Protocols.MessagePack;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>One DTO, the same keys in both protocols: the JSON protocol's text and ours, read as JSON, must agree.</summary>
public class JsonProtocolParityTests
{
    [Theory]
    [MemberData(nameof(Dtos))]
    public void DefaultOptionsGiveTheSameKeysAndValuesAsTheJsonProtocol(string name, object dto)
    {
        AssertSameAsJson(name, dto, new MessagePackHubProtocol(), new JsonHubProtocol());
    }

    [Theory]
    [MemberData(nameof(Dtos))]
    public void CustomNamingAndIgnoreOptionsApplyIdentically(string name, object dto)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = JsonNamingPolicy.KebabCaseUpper,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };
        var json = new JsonHubProtocol(Microsoft.Extensions.Options.Options.Create(new JsonHubProtocolOptions { PayloadSerializerOptions = options }));
        var ours = new MessagePackHubProtocol(new MessagePackHubProtocolOptions { SerializerOptions = options });

        AssertSameAsJson(name, dto, ours, json);
    }

    [Fact]
    public void JsonIgnoreAndWhenWritingNullAreHonoured()
    {
        var written = Bind<JsonElement>(b => b.Raw(Encode(new Ignored())));
        Assert.Equal(["kept", "nullable"], written.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void DefaultIgnoreConditionWhenWritingDefaultSkipsDefaults()
    {
        var options = new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault };
        var ours = new MessagePackHubProtocol(new MessagePackHubProtocolOptions { SerializerOptions = options });

        var written = Bind<JsonElement>(b => b.Raw(Encode(new ClaimRequest { Ttl = 0, QueueName = "q" }, ours)));
        Assert.Equal(["QueueName"], written.EnumerateObject().Select(p => p.Name));
    }

    public static TheoryData<string, object> Dtos() => new()
    {
        { "claim", new ClaimRequest { ClaimId = 7, QueueName = "jobs", Tags = ["a"] } },
        { "record", new Lease("q", 2) },
        { "order", new Order { Id = "o", Total = 1, Lease = new Lease("q", 1, "n") } },
        { "ignored", new Ignored { OnlyWhenSet = "set" } },
        { "enums", new WithEnums { Priority = Priority.High, Named = Priority.Low } },
        { "envelope", new Envelope { Kind = "k", Body = JsonDocument.Parse("{\"x\":[1,2.5,null]}").RootElement } },
        { "dictionary", new Dictionary<string, object?> { ["someKey"] = 1, ["Other"] = new Lease("z", 0) } },
        { "anonymous", new { FirstName = "a", Nested = new { InnerValue = true } } },
    };

    /// <summary>Writes the DTO with both protocols and compares the argument JSON, after decimals (strings for us) are normalized.</summary>
    private static void AssertSameAsJson(string name, object dto, MessagePackHubProtocol ours, JsonHubProtocol json)
    {
        var jsonText = System.Text.Encoding.UTF8.GetString(json.GetMessageBytes(new InvocationMessage("T", [dto])).Span);
        using var jsonDocument = JsonDocument.Parse(jsonText.TrimEnd('\u001e'));
        var expected = jsonDocument.RootElement.GetProperty("arguments")[0];

        var actual = Bind<JsonElement>(b => b.Raw(Encode(dto, ours)));

        Assert.Equal((name, Normalize(expected)), (name, Normalize(actual)));
    }

    // Our protocol writes decimal as a string (see README); compare decimals by value, everything else exactly.
    private static string Normalize(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().Select(p => p.Name + ":" + Normalize(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Normalize)) + "]",
        JsonValueKind.Number => element.GetDecimal().ToString(System.Globalization.CultureInfo.InvariantCulture),
        JsonValueKind.String when decimal.TryParse(element.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var d)
            => d.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => element.GetRawText(),
    };
}
