using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Security;
using static Zaqar.Hub.Tests.Isolation.TenantB;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>
/// Issue #6: a hub connection belongs to the project that opened it. Long polling and Server-Sent Events spread a
/// connection over many HTTP requests (polls, sends) that name it by its connection token; each is authenticated,
/// and one authenticated as another project is answered as for no such connection, so project A holding (say, from a
/// proxy's log) the token of B's connection can neither invoke B's methods on it nor read what it receives.
/// </summary>
[Collection(IsolationCollection.Name)]
public sealed class ConnectionOwnershipTests(IsolationWorld world)
{
    private const char Separator = '\u001e';

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnotherProjectCanNotSendOnOrPollAConnectionOfB(bool jwt)
    {
        var ct = TestContext.Current.CancellationToken;
        var host = jwt ? world.Jwt : world.NoAuth;
        var b = jwt ? world.JwtB : world.NoAuthB;
        var a = await TenantA.CreateAsync(host, jwt, share: false, data: false);
        var bQuery = (jwt ? $"access_token={Tokens.Issue(b.Project)}" : $"project_id={b.Project}") + $"&client_id={Guid.NewGuid()}";
        var aQuery = (jwt ? $"access_token={a.Token}" : $"project_id={a.Project}") + $"&client_id={a.Client.ClientId}";
        using var http = host.CreateClient();

        // B opens a long-polling connection and completes the handshake.
        var negotiate = await http.PostAsync($"/hubs/queues/negotiate?negotiateVersion=1&{bQuery}", null, ct);
        var negotiated = JsonNode.Parse(await negotiate.Content.ReadAsStringAsync(ct))!;
        var token = negotiated["connectionToken"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/hubs/queues?id={token}&{bQuery}", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, token, bQuery, """{"protocol":"json","version":1}""")).StatusCode);
        Assert.Equal("{}" + Separator, await (await http.GetAsync($"/hubs/queues?id={token}&{bQuery}", ct)).Content.ReadAsStringAsync(ct));

        // A, authenticated as A, names B's connection: to send an invocation, and to poll for what it receives.
        var send = await SendAsync(http, token, aQuery,
            $$"""{"type":1,"invocationId":"1","target":"ListMessages","arguments":["{{Shared}}",{"echo":true,"include_claimed":true}]}""");
        var poll = await http.GetAsync($"/hubs/queues?id={token}&{aQuery}", ct);
        var polled = await poll.Content.ReadAsStringAsync(ct);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (send.StatusCode, poll.StatusCode));
        Leaks.AssertNone(b, string.Empty, polled, "polling B's connection as A");
        // B's connection is unharmed: B still invokes and polls on it.
        await SendAsync(http, token, bQuery, """{"type":1,"invocationId":"2","target":"Ping","arguments":[]}""");
        var own = await (await http.GetAsync($"/hubs/queues?id={token}&{bQuery}", ct)).Content.ReadAsStringAsync(ct);
        Assert.Contains("\"invocationId\":\"2\"", own, StringComparison.Ordinal);
        Assert.DoesNotContain("\"invocationId\":\"1\"", own, StringComparison.Ordinal);
        await http.DeleteAsync($"/hubs/queues?id={token}&{bQuery}", ct);
        await world.AssertUnchangedAsync(b, "A using B's connection", view: false);
    }

    /// <summary>
    /// Issue 10: the connection belongs to the identity that negotiated it, from the negotiate on. Before, the first request
    /// naming the token bound it, so another project (or another client of the same project) sending the first poll or the
    /// handshake with A's token took A's connection.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OnlyTheIdentityThatNegotiatedMayStartPollOrEndTheConnection(bool jwt)
    {
        var ct = TestContext.Current.CancellationToken;
        var host = jwt ? world.Jwt : world.NoAuth;
        var project = "own-" + Guid.NewGuid().ToString("N")[..12];
        string Query(string p, string client) => (jwt ? $"access_token={Tokens.Issue(p)}" : $"project_id={p}") + $"&client_id={client}";
        var aQuery = Query(project, Guid.NewGuid().ToString());
        string[] others = [Query("own-" + Guid.NewGuid().ToString("N")[..12], Guid.NewGuid().ToString()), Query(project, Guid.NewGuid().ToString())];
        using var http = host.CreateClient();

        var negotiate = await http.PostAsync($"/hubs/queues/negotiate?negotiateVersion=1&{aQuery}", null, ct);
        var token = JsonNode.Parse(await negotiate.Content.ReadAsStringAsync(ct))!["connectionToken"]!.GetValue<string>();

        // Another project, and another client of A's project, try every request a long-polling or SSE connection makes.
        foreach (var other in others)
        {
            using var sse = new HttpRequestMessage(HttpMethod.Get, $"/hubs/queues?id={token}&{other}");
            sse.Headers.Accept.ParseAdd("text/event-stream");
            HttpStatusCode[] statuses =
            [
                (await http.GetAsync($"/hubs/queues?id={token}&{other}", ct)).StatusCode,
                (await SendAsync(http, token, other, """{"protocol":"json","version":1}""")).StatusCode,
                (await http.SendAsync(sse, ct)).StatusCode,
                (await http.DeleteAsync($"/hubs/queues?id={token}&{other}", ct)).StatusCode,
            ];
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NotFound, s));
        }

        // A's connection was never touched: A starts it, handshakes, invokes and polls as if alone.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/hubs/queues?id={token}&{aQuery}", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, token, aQuery, """{"protocol":"json","version":1}""")).StatusCode);
        Assert.Equal("{}" + Separator, await (await http.GetAsync($"/hubs/queues?id={token}&{aQuery}", ct)).Content.ReadAsStringAsync(ct));
        await SendAsync(http, token, aQuery, """{"type":1,"invocationId":"7","target":"Ping","arguments":[]}""");
        Assert.Contains("\"invocationId\":\"7\"", await (await http.GetAsync($"/hubs/queues?id={token}&{aQuery}", ct)).Content.ReadAsStringAsync(ct),
            StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, (await http.DeleteAsync($"/hubs/queues?id={token}&{aQuery}", ct)).StatusCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string token, string query, string frame) =>
        await http.PostAsync(
            $"/hubs/queues?id={token}&{query}", new StringContent(frame + Separator, Encoding.UTF8), TestContext.Current.CancellationToken);
}
