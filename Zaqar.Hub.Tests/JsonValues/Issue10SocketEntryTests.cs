using System.Text;
using System.Text.Json.Nodes;
using Zaqar.Hub.Sockets;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Sockets;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>
/// Issue 10's rules at the door of Zaqar's websocket transport (issue 13): a value REST refuses in a body is refused in a
/// JSON text frame and in a MessagePack binary frame too, with REST's status, title and description in Zaqar's action
/// error (<c>{"exception": description, "error": title}</c>), and nothing is written.
/// </summary>
public sealed class Issue10SocketEntryTests(ZaqarTestServer server)
{
    /// <summary>Issue 10's refused values; MessagePack frames carry those it can spell.</summary>
    public static TheoryData<bool, string> Refused()
    {
        var data = new TheoryData<bool, string>();
        foreach (var binary in new[] { false, true })
        {
            foreach (var value in Issue10HubEntryTests.RefusedInBothEncodings)
            {
                data.Add(binary, value);
            }
        }
        data.Add(false, "\"\\ud800\"");
        data.Add(false, "{\"\\udc00\":1}");
        data.Add(false, "1e400");
        return data;
    }

    [Theory, MemberData(nameof(Refused))]
    public async Task Issue10EverySocketActionTakingAValueRefusesWhatRestRefusesWithTheSameErrorAndWritesNothing(bool binary, string value)
    {
        using var rest = server.Kestrel.NewProject();
        await using var client = await SocketTestClient.ConnectAsync(server.Kestrel.BaseUri, rest.Project);
        var wrapped = $$"""{"x":{{value}}}""";
        var expected = RestError(await rest.PostAsync("/v2/queues/q/messages", $$"""{"messages":[{"body":{{value}}}]}"""));

        var errors = new List<ZaqarHubError>();
        foreach (var body in new[]
        {
            $$"""{"queue_name":"q","messages":[{"body":1},{"body":{{value}}}]}""",
            $$"""{"queue_name":"q","metadata":{{wrapped}}}""",
            $$"""{"queue_name":"q","subscriber":"http://example.com/h","ttl":3600,"options":{{wrapped}}}""",
            $$"""{"queue_name":"q","ttl":3600,"options":{{wrapped}}}""",
        }.Zip(["message_post", "queue_create", "subscription_create", "subscription_create"]))
        {
            errors.Add(ActionError(await SendAsync(client, body.Second, body.First, binary), binary));
        }

        Assert.Equal(400, expected.Status);
        Assert.All(errors, e => Assert.Equal(expected, e));
        await AssertNothingWrittenAsync(rest, client);
    }

    [Fact]
    public async Task Issue10AMessagePackStringThatIsNoUnicodeIsRefusedAndWritesNothing()
    {
        using var rest = server.Kestrel.NewProject();
        await using var client = await SocketTestClient.ConnectAsync(server.Kestrel.BaseUri, rest.Project);
        // "\ud800" as UTF-8 would spell it (CESU-8, ED A0 80): MessagePack strings are UTF-8, which has no lone surrogate.
        var frame = SocketAnswers.Encode(Encoding.UTF8.GetBytes(FrameText(client, "message_post", """{"queue_name":"q","messages":[{"body":"@@@"}]}""")), binary: true);
        var at = frame.AsSpan().IndexOf("@@@"u8);
        frame[at] = 0xed;
        frame[at + 1] = 0xa0;
        frame[at + 2] = 0x80;

        await client.SendAsync(frame, binary: true);
        var answer = await client.ReceiveJsonAsync(binary: true);

        Assert.Equal(400, answer.Status());
        Assert.StartsWith("Can't decode binary (MessagePack) request. UnicodeDecodeError: ", answer.Error(), StringComparison.Ordinal);
        await AssertNothingWrittenAsync(rest, client);
    }

    [Theory]
    [InlineData(false, "proj\u0007")]
    [InlineData(true, "pröject")]
    [InlineData(true, "proj\u0001")]
    public async Task Issue10AFramesProjectIdMustBePrintableAsciiAsOnRest(bool binary, string value)
    {
        using var rest = server.Kestrel.NewProject();
        await using var client = await SocketTestClient.ConnectAsync(server.Kestrel.BaseUri, rest.Project);
        var headers = (JsonObject)client.Headers.DeepClone();
        headers["X-Project-ID"] = value;

        var answer = await client.CallAsync("queue_create", new { queue_name = "q" }, binary, headers);

        Assert.Equal(400, answer.Status());
        Assert.Equal("Malformed header value", answer.Error());
        Assert.Contains("\"X-Project-ID\" header must be printable ASCII", answer.Body()!["exception"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertNothingWrittenAsync(rest, client);
    }

    private static string FrameText(SocketTestClient client, string action, string body) =>
        $$"""{"action":"{{action}}","headers":{{client.Headers.ToJsonString()}},"body":{{body}}}""";

    /// <summary>Sends a frame whose body is JSON text as given (duplicate keys and all), as text or as MessagePack.</summary>
    private static async Task<JsonNode> SendAsync(SocketTestClient client, string action, string body, bool binary)
    {
        var json = Encoding.UTF8.GetBytes(FrameText(client, action, body));
        await client.SendAsync(binary ? SocketAnswers.Encode(json, binary: true) : json, binary);
        return await client.ReceiveJsonAsync(binary);
    }

    private static ZaqarHubError ActionError(JsonNode answer, bool binary)
    {
        var body = answer.Body()!;
        // Not the answer's text in the message: it echoes the refused value, which may be no text JsonNode can write.
        Assert.True(body["exception"] is not null, $"{(binary ? "binary" : "text")}: no action error, status {answer.Status()}");
        return new(answer.Status(), body["error"]!.GetValue<string>(), body["exception"]!.GetValue<string>());
    }

    private static async Task AssertNothingWrittenAsync(ZaqarClient rest, SocketTestClient client)
    {
        Assert.Equal("""{"queues":[],"links":[]}""", (await rest.GetAsync("/v2/queues")).Text);
        Assert.Equal("[]", (await rest.GetAsync("/v2/queues/q/subscriptions")).Json!["subscriptions"]!.ToJsonString());
        Assert.Equal(200, (await client.CallAsync("queue_list")).Status());
    }
}
