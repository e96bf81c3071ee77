using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Security;

namespace Zaqar.Hub.Tests.Sockets;

/// <summary>
/// Authentication on Zaqar's websocket transport in JWT mode (zaqar-v2-api.md 10.3, issue 13): nothing but
/// <c>authenticate</c> (or a pre-signed frame) before the connection authenticated, the token's project afterwards, and
/// the connection closed with 4003 when the token expires.
/// </summary>
public sealed class SocketAuthTests(SocketAuthTests.JwtService jwt) : IClassFixture<SocketAuthTests.JwtService>
{
    /// <summary>One service in JWT mode for the class, on a clock the tests move (tokens are issued at its time).</summary>
    public sealed class JwtService(ZaqarTestServer server) : IAsyncLifetime
    {
        public ManualClock Clock { get; } = new();

        public KestrelService Service { get; private set; } = null!;

        public ValueTask InitializeAsync()
        {
            Service = KestrelService.Start(server, Tokens.JwtSettings(), services => services.AddSingleton<TimeProvider>(Clock));
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => Service.DisposeAsync();
    }

    private ManualClock Clock => jwt.Clock;

    private KestrelService Service => jwt.Service;

    private static string NewProject() => "wsjwt-" + Guid.NewGuid().ToString("N")[..8];

    private Task<SocketTestClient> ConnectAsync(string project) => SocketTestClient.ConnectAsync(Service.BaseUri, project);

    private string Token(string project, TimeSpan? lifetime = null) =>
        Tokens.Issue(project, now: Clock.GetUtcNow().UtcDateTime, expires: Clock.GetUtcNow().UtcDateTime + (lifetime ?? TimeSpan.FromMinutes(10)));

    private static Task<JsonNode> AuthenticateAsync(SocketTestClient client, string project, string token, bool binary = false) =>
        client.CallAsync("authenticate", binary: binary, headers: new JsonObject { ["X-Project-ID"] = project, ["X-Auth-Token"] = token });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BeforeAuthenticatingEveryActionIsRefusedWith403(bool binary)
    {
        var project = NewProject();
        await using var client = await ConnectAsync(project);
        foreach (var (action, body) in new (string, object?)[] { ("queue_list", null), ("message_post", new { queue_name = "q", messages = new[] { new { body = 1 } } }), ("ping_node", null) })
        {
            var answer = await client.CallAsync(action, body, binary);
            Assert.Equal(403, answer.Status());
            Assert.Equal("Not authentified.", answer.Error());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AuthenticatingWithATokenScopesTheConnectionToTheTokensProject(bool binary)
    {
        var project = NewProject();
        await using var client = await ConnectAsync(project);
        var authenticated = await AuthenticateAsync(client, project, "Bearer " + Token(project), binary);
        Assert.Equal(200, authenticated.Status());
        Assert.Equal("Authentified.", authenticated.Body()!["message"]!.GetValue<string>());

        Assert.Equal(201, (await client.CallAsync("queue_create", new { queue_name = "mine" }, binary)).Status());
        var listed = await client.CallAsync("queue_list", binary: binary);
        Assert.Equal("mine", listed.Body()!["queues"]![0]!["name"]!.GetValue<string>());

        var elsewhere = new JsonObject { ["Client-ID"] = Guid.NewGuid().ToString(), ["X-Project-ID"] = "someone-else" };
        var refused = await client.CallAsync("queue_list", binary: binary, headers: elsewhere);
        Assert.Equal(403, refused.Status());
        Assert.Equal("Not authenticated.", refused.Error());
    }

    [Fact]
    public async Task ABadTokenFailsAuthenticationAndLeavesTheConnectionUnauthenticated()
    {
        var project = NewProject();
        await using var client = await ConnectAsync(project);
        var forged = Tokens.Issue(project, key: Convert.ToBase64String(new byte[32]), now: Clock.GetUtcNow().UtcDateTime);
        var failed = await AuthenticateAsync(client, project, forged);
        Assert.Equal(401, failed.Status());
        Assert.Equal("Authentication failed.", failed.Error());
        var mismatch = await AuthenticateAsync(client, "not-the-tokens-project", Token(project));
        Assert.Equal(403, mismatch.Status());
        Assert.Equal("Not authentified.", (await client.CallAsync("queue_list")).Error());
    }

    [Fact]
    public async Task TheConnectionIsClosedWith4003WhenItsTokenExpires()
    {
        var project = NewProject();
        await using var client = await ConnectAsync(project);
        Assert.Equal(200, (await AuthenticateAsync(client, project, Token(project, TimeSpan.FromMinutes(5)))).Status());
        Assert.Equal(200, (await client.CallAsync("queue_list")).Status());

        Clock.Advance(TimeSpan.FromMinutes(6));
        var (type, _) = await client.ReceiveAsync();
        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(4003, (int)client.Socket.CloseStatus!);
        Assert.Equal("Authentication expired.", client.Socket.CloseStatusDescription);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task APreSignedFrameMayDoWhatItsGrantAllowsAndNothingElse(bool binary)
    {
        var project = NewProject();
        using var rest = new ZaqarClient(new HttpClient { BaseAddress = Service.BaseUri }, project, Guid.NewGuid().ToString());
        rest.Http.DefaultRequestHeaders.Authorization = new("Bearer", Token(project));
        var share = await rest.SendAsync(HttpMethod.Post, "/v2/queues/shared/share", new { paths = new[] { "messages" }, methods = new[] { "GET", "POST" } });
        Assert.Equal(HttpStatusCode.OK, share.Status);
        var grant = share.Json!;

        await using var client = await ConnectAsync(project);
        var signed = new JsonObject
        {
            ["Client-ID"] = Guid.NewGuid().ToString(),
            ["X-Project-ID"] = project,
            ["URL-Signature"] = grant["signature"]!.GetValue<string>(),
            ["URL-Expires"] = grant["expires"]!.GetValue<string>(),
            ["URL-Methods"] = string.Join(",", grant["methods"]!.AsArray().Select(m => m!.GetValue<string>())),
            ["URL-Paths"] = string.Join(",", grant["paths"]!.AsArray().Select(p => p!.GetValue<string>())),
        };
        var posted = await client.CallAsync("message_post", new { queue_name = "shared", messages = new[] { new { body = "signed" } } }, binary, signed);
        Assert.Equal(201, posted.Status());
        var listed = await client.CallAsync("message_list", new { queue_name = "shared", echo = true }, binary, signed);
        Assert.Equal("signed", listed.Body()!["messages"]![0]!["body"]!.GetValue<string>());

        foreach (var (action, body) in new (string, object)[]
        {
            ("message_post", new { queue_name = "other", messages = new[] { new { body = 1 } } }),
            ("message_delete_many", new { queue_name = "shared", pop = 1 }),
            ("queue_delete", new { queue_name = "shared" }),
        })
        {
            var refused = await client.CallAsync(action, body, binary, signed);
            Assert.True(refused.Status() == 403 && refused.Error() == "Not authentified.", $"{action}: {refused.ToJsonString()}");
        }
        var tampered = (JsonObject)signed.DeepClone();
        tampered["URL-Methods"] = "GET,POST,DELETE";
        Assert.Equal("Not authentified.", (await client.CallAsync("message_list", new { queue_name = "shared" }, binary, tampered)).Error());
    }
}
