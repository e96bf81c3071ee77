using System.Text;
using System.Text.Json;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest.Fuzzing;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>
/// Issue 10 (found by the REST fuzzer): a request body whose HTTP framing is broken is the client's mistake, answered
/// 400 with Zaqar's error body like any other unreadable body, and nothing is written. Raw sockets: HttpClient would
/// not send such framing.
/// </summary>
public sealed class RequestFramingTests(ZaqarTestServer server)
{
    [Theory]
    [InlineData("ffffffffffffffff")]
    [InlineData("80000000")]
    public async Task AChunkSizePastInt32IsAnUnreadableBodyNotAServerError(string chunkSize)
    {
        using var client = server.Kestrel.NewProject();
        var queue = "framing-" + Guid.NewGuid().ToString("N")[..8];
        var body = """{"messages":[{"body":"x"}]}""";
        var request = Encoding.ASCII.GetBytes(
            $"POST /v2/queues/{queue}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nClient-ID: {client.ClientId}\r\nX-Project-ID: {client.Project}\r\n" +
            $"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{chunkSize}\r\n{body}");
        using var raw = new RawHttpClient(server.Kestrel.BaseUri);

        var response = await raw.SendAsync(request, oneShot: true, isHead: false, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(400, response.Status);
        using var error = JsonDocument.Parse(response.Body);
        Assert.Equal("Invalid request body", error.RootElement.GetProperty("title").GetString());
        var stats = await client.GetAsync($"/v2/queues/{queue}/stats");
        Assert.Equal(0, stats.Json!["messages"]!["total"]!.GetValue<long>());
    }
}
