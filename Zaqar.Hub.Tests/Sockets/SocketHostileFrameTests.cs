using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Zaqar.Hub.Sockets;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Sockets;

/// <summary>
/// Every frame of Zaqar's websocket transport is untrusted (issue 13): frames too large, too deep, of the wrong types, not
/// UTF-8, or binary garbage get a 400 answer in Zaqar's envelope, and the connection goes on answering.
/// </summary>
public sealed class SocketHostileFrameTests(ZaqarTestServer server)
{
    private async Task<SocketTestClient> ConnectAsync() =>
        await SocketTestClient.ConnectAsync(server.Kestrel.BaseUri, "ws-" + Guid.NewGuid().ToString("N")[..10]);

    /// <summary>The connection still answers a plain request, in the given frame type.</summary>
    private static async Task AssertStillAnswersAsync(SocketTestClient client, bool binary)
    {
        var answer = await client.CallAsync("queue_list", binary: binary);
        Assert.Equal(200, answer.Status());
    }

    /// <summary>A JSON frame with the client's headers and a body given as JSON text (well-formed or not).</summary>
    private static string Frame(SocketTestClient client, string action, string body) =>
        "{\"action\":\"" + action + "\",\"headers\":" + client.Headers.ToJsonString() + ",\"body\":" + body + "}";

    private static void AssertDecodeError(JsonNode answer, bool binary, string because)
    {
        Assert.Equal(400, answer.Status());
        var kind = binary ? "binary (MessagePack)" : "text (JSON)";
        Assert.StartsWith($"Can't decode {kind} request. {because}", answer.Error(), StringComparison.Ordinal);
        Assert.Equal("""{"action":null,"body":{},"headers":{},"api":"v2"}""", answer["request"]!.ToJsonString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFrameLargerThanTheLimitIsAnswered400AndTheConnectionReadsOn(bool binary)
    {
        await using var client = await ConnectAsync();
        var huge = new JsonObject
        {
            ["action"] = "message_post",
            ["headers"] = client.Headers.DeepClone(),
            ["body"] = new JsonObject { ["queue_name"] = "q", ["messages"] = new JsonArray(new JsonObject { ["body"] = new string('x', 3 * 1024 * 1024) }) },
        };
        await client.SendJsonAsync(huge, binary);
        AssertDecodeError(await client.ReceiveJsonAsync(binary), binary, "FrameTooLarge: the frame exceeds 1048576 bytes");
        await AssertStillAnswersAsync(client, binary);
    }

    [Theory]
    [InlineData(false, "JSONDecodeError: ")]
    [InlineData(true, "OutOfData: ")]
    public async Task AnEmptyFrameIsAnswered400(bool binary, string because)
    {
        await using var client = await ConnectAsync();
        await client.SendAsync([], binary);
        AssertDecodeError(await client.ReceiveJsonAsync(binary), binary, because);
        await AssertStillAnswersAsync(client, binary);
    }

    [Fact]
    public async Task JsonNestedDeeperThanTheLimitIsAnswered400()
    {
        await using var client = await ConnectAsync();
        var deep = new string('[', 5000) + new string(']', 5000);
        var frame = Frame(client, "message_post", """{"queue_name":"q","messages":[{"body":""" + deep + "}]}");
        await client.SendAsync(Encoding.UTF8.GetBytes(frame), binary: false);
        AssertDecodeError(await client.ReceiveJsonAsync(), binary: false, "JSONDecodeError: ");
        await AssertStillAnswersAsync(client, binary: false);
    }

    [Fact]
    public async Task MessagePackNestedDeeperThanTheLimitIsAnswered400()
    {
        await using var client = await ConnectAsync();
        // 100,000 one-element arrays in a row: 100 KB of frame that a recursive reader without a depth guard dies on.
        var deep = Enumerable.Repeat((byte)0x91, 100_000).Append((byte)0xc0).ToArray();
        await client.SendAsync(deep, binary: true);
        AssertDecodeError(await client.ReceiveJsonAsync(binary: true), binary: true, "StackError: ");
        await AssertStillAnswersAsync(client, binary: true);
    }

    public static TheoryData<string, byte[], string> Garbage() => new()
    {
        { "a never-used type code", [0xc1], "ValueError: MessagePack Unknown (code 0xc1)" },
        { "a map cut short", [0x82, 0xa1, (byte)'a'], "OutOfData: " },
        { "a map claiming four billion entries", [0xdf, 0xff, 0xff, 0xff, 0xff], "OutOfData: " },
        { "two values in one frame", [0x80, 0x80], "ExtraData: " },
        { "an ext value of an application type", [0x81, 0xa1, (byte)'e', 0xd4, 0x05, 0x00], "ValueError: MessagePack Extension" },
        { "an integer map key", [0x81, 0x01, 0x02], "ValueError: A map key in a JSON value must be a string" },
        { "a NaN", [0x81, 0xa1, (byte)'n', 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0], "ValueError: The float NaN has no JSON form" },
        { "a string that is not UTF-8", [0x81, 0xa1, (byte)'s', 0xa2, 0xff, 0xfe], "UnicodeDecodeError: " },
        { "a key that is not UTF-8", [0x81, 0xa2, 0xc3, 0x28, 0xc0], "UnicodeDecodeError: " },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task MessagePackThatIsNoJsonValueIsAnswered400WithTheReason(string what, byte[] frame, string because)
    {
        await using var client = await ConnectAsync();
        await client.SendAsync(frame, binary: true);
        var answer = await client.ReceiveJsonAsync(binary: true);
        AssertDecodeError(answer, binary: true, because);
        Assert.True(what.Length > 0);
        await AssertStillAnswersAsync(client, binary: true);
    }

    /// <summary>
    /// A binary frame is read as the hub reads MessagePack (issue 11, one mapping in Zaqar.Serialization): bin is base64
    /// text and a timestamp ISO 8601 text, as the JSON protocol writes a byte[] and a DateTime.
    /// </summary>
    [Fact]
    public async Task BinAndTimestampValuesInAMessagePackFrameAreReadAsTheHubReadsThem()
    {
        await using var client = await ConnectAsync();
        var body = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePack.MessagePackWriter(body);
        writer.WriteMapHeader(2);
        writer.Write("bin");
        writer.Write(new byte[] { 0, 1, 2 });
        writer.Write("at");
        writer.Write(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        writer.Flush();
        var frame = SocketAnswers.Encode(Encoding.UTF8.GetBytes(Frame(client, "message_post", """{"queue_name":"bin","messages":[{"body":"@"}]}""")), binary: true);
        var at = frame.AsSpan().IndexOf(new byte[] { 0xa1, (byte)'@' });
        frame = [.. frame.AsSpan(0, at), .. body.WrittenSpan, .. frame.AsSpan(at + 2)];

        await client.SendAsync(frame, binary: true);
        Assert.Equal(201, (await client.ReceiveJsonAsync(binary: true)).Status());

        var listed = await client.CallAsync("message_list", new { queue_name = "bin", echo = true });
        Assert.Equal("""{"bin":"AAEC","at":"2026-01-02T03:04:05Z"}""", listed.Body()!["messages"]![0]!["body"]!.ToJsonString());
    }

    [Fact]
    public async Task RandomBytesInBinaryFramesAreAnswered400AndNeverBreakTheConnection()
    {
        await using var client = await ConnectAsync();
        var random = new Random(13);
        for (var i = 0; i < 300; i++)
        {
            var frame = new byte[random.Next(1, 64)];
            random.NextBytes(frame);
            await client.SendAsync(frame, binary: true);
            var answer = await client.ReceiveJsonAsync(binary: true);
            Assert.True(answer.Status() == 400, $"frame {Convert.ToHexString(frame)}: {answer.ToJsonString()}");
            Assert.NotNull(answer.Error());
        }
        await AssertStillAnswersAsync(client, binary: true);
    }

    [Fact]
    public async Task ValuesOfTheWrongTypeFailTheSchema()
    {
        await using var client = await ConnectAsync();
        string[] frames =
        [
            """{"action":"queue_list","headers":["Client-ID"]}""",
            Frame(client, "queue_get", "\"q\""),
            Frame(client, "queue_get", "null"),
            Frame(client, "message_get_many", """{"queue_name":"q","message_ids":"a,b"}"""),
            Frame(client, "claim_create", """{"queue_name":"q","ttl":60.5}"""),
            Frame(client, "message_list", """{"queue_name":"q","echo":"yes"}"""),
            Frame(client, "subscription_create", """{"queue_name":"q","options":[1]}"""),
            """{"action":"queue_list","headers":{"Client-ID":7,"X-Project-ID":"p"}}""",
        ];
        foreach (var frame in frames)
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(frame), binary: false);
            var answer = await client.ReceiveJsonAsync();
            Assert.True(answer.Status() == 400 && answer.Error() == "Schema validation failed.", $"{frame}: {answer.ToJsonString()}");
        }
        await AssertStillAnswersAsync(client, binary: false);
    }

    [Fact]
    public async Task AMessageIdThatIsNoStringIsAnActionError()
    {
        await using var client = await ConnectAsync();
        var answer = await client.CallAsync("message_get_many", new { queue_name = "q", message_ids = new object[] { "a", 5 } });
        Assert.Equal(400, answer.Status());
        Assert.Equal("The \"message_ids\" field must be a list of strings.", answer.Body()!["exception"]!.GetValue<string>());
        Assert.Equal("Invalid request body", answer.Error());
    }

    [Fact]
    public async Task AnIntegerBeyond64BitsInABodyIsRefusedAsRestRefusesIt()
    {
        await using var client = await ConnectAsync();
        // The common API layer's rule for bodies applies here as on REST (MessagePack has no such integer at all).
        var frame = Frame(client, "message_post", """{"queue_name":"big","messages":[{"body":{"n":123456789012345678901234567890}}]}""");
        await client.SendAsync(Encoding.UTF8.GetBytes(frame), binary: false);
        var answer = await client.ReceiveJsonAsync();
        Assert.Equal(400, answer.Status());
        Assert.Equal("JSON contains integer that is too large.", answer.Body()!["exception"]!.GetValue<string>());
    }

    /// <summary>
    /// RFC 6455 (8.1) makes a text frame that is not UTF-8 fail the connection, and the WebSocket layer does so (close code
    /// 1007, then the connection ends) before the transport sees the frame; the service itself carries on.
    /// </summary>
    [Fact]
    public async Task ATextFrameThatIsNotUtf8FailsTheConnectionAsRfc6455RequiresAndNothingElse()
    {
        await using (var client = await ConnectAsync())
        {
            await client.SendAsync([(byte)'{', 0xff, 0xfe, (byte)'}'], binary: false);
            try
            {
                var (type, _) = await client.ReceiveAsync();
                Assert.Equal(WebSocketMessageType.Close, type);
                Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, client.Socket.CloseStatus);
            }
            catch (WebSocketException)
            {
                // The close frame raced the end of the connection: failed either way, as the RFC wants.
            }
            Assert.NotEqual(WebSocketState.Open, client.Socket.State);
        }
        await using var next = await ConnectAsync();
        await AssertStillAnswersAsync(next, binary: false);
    }

    [Fact]
    public async Task APlainHttpRequestToTheTransportIs400WithZaqarsErrorBody()
    {
        using var http = new HttpClient { BaseAddress = server.Kestrel.BaseUri };
        var response = await http.GetAsync("/v2/ws", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("Invalid API request", body["title"]!.GetValue<string>());
        Assert.Contains("WebSocket upgrade", body["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
