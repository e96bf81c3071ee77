using System.Net;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Auth;

/// <summary>
/// JWT mode with an issuer's published keys (issue 15): the service reads the issuer's OpenID discovery document and
/// JWKS through JwtBearer's ConfigurationManager, and follows a key rotation without a restart.
/// </summary>
public sealed class JwtDiscoveryTests(ZaqarTestServer server) : IAsyncLifetime
{
    private TokenIssuer _issuer = null!;
    private ZaqarFactory _factory = null!;

    public async ValueTask InitializeAsync()
    {
        _issuer = await TokenIssuer.StartAsync();
        _factory = server.CreateFactory(new Dictionary<string, string?>
        {
            ["Auth:Mode"] = "Jwt",
            ["Auth:Jwt:Authority"] = _issuer.Authority,
            ["Auth:Jwt:RequireHttpsMetadata"] = "false",
            ["Auth:Jwt:Audience"] = TokenIssuer.Audience,
            // An unknown kid may refetch the keys after one second (the default waits five minutes).
            ["Auth:Jwt:RefreshIntervalSeconds"] = "1",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    private ZaqarClient Client(string project, string token)
    {
        var http = _factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return new ZaqarClient(http, project, Guid.NewGuid().ToString());
    }

    private static string Project() => "jwks-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task ATokenSignedWithAPublishedKeyIsAcceptedAndOneSignedWithAnUnpublishedKeyIs401()
    {
        var project = Project();
        using var valid = Client(project, _issuer.Issue(project));
        using var forged = Client(project, _issuer.Issue(project, unpublishedKey: true));

        await valid.PostMessagesAsync("q", "signed by the issuer");

        Assert.Contains("signed by the issuer", (await valid.GetAsync("/v2/queues/q/messages?echo=true")).Text, StringComparison.Ordinal);
        (await forged.GetAsync("/v2/queues/q/messages?echo=true")).AssertError(HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Theory, BothProtocols]
    public async Task AHubConnectionPassesTheIssuersTokenInTheQueryString(HubWireProtocol protocol)
    {
        var project = Project();
        await using var hub = await _factory.ConnectHubAsync(protocol, $"/hubs/queues?access_token={_issuer.Issue(project)}&client_id={Guid.NewGuid()}");

        await hub.InvokeAsync<System.Text.Json.Nodes.JsonNode>("PostMessages", "q", new[] { new { body = "over the hub" } }).Within();

        using var rest = Client(project, _issuer.Issue(project));
        Assert.Contains("over the hub", (await rest.GetAsync("/v2/queues/q/messages?echo=true")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterTheIssuerRotatesItsKeyTokensOfTheNewKeyAreAcceptedAndTokensOfTheRetiredKeyRefused()
    {
        var project = Project();
        using var before = Client(project, _issuer.Issue(project));
        Assert.Equal(HttpStatusCode.OK, (await before.GetAsync("/v2/queues")).Status);
        var fetched = _issuer.Discoveries;

        _issuer.Rotate();
        using var after = Client(project, _issuer.Issue(project));

        // The new kid is unknown to the cached keys: the service refetches them (at most once a second here).
        Assert.True(await KeystoneDeployment.EventuallyAsync(async () => (await after.GetAsync("/v2/queues")).Status == HttpStatusCode.OK));
        Assert.True(_issuer.Discoveries > fetched);
        Assert.True(await KeystoneDeployment.EventuallyAsync(async () => (await before.GetAsync("/v2/queues")).Status == HttpStatusCode.Unauthorized));
    }

    [ExpectsServiceErrors("Invalid settings: the host logs why it did not start.")]
    [Fact]
    public async Task JwtModeWithNeitherKeysNorAnIssuerDoesNotStartAndNamesTheSettings()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Auth:Mode"] = "Jwt" });

        var error = Assert.Throws<OptionsValidationException>(() => factory.Server);

        Assert.Contains("Auth:Jwt:SigningKeys", error.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:Jwt:Authority", error.Message, StringComparison.Ordinal);
    }

    [ExpectsServiceErrors("Invalid settings: the host logs why it did not start.")]
    [Fact]
    public async Task KeystoneModeWithoutItsSettingsDoesNotStartAndNamesThem()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Auth:Mode"] = "Keystone", ["Auth:Keystone:Username"] = "zaqar" });

        var error = Assert.Throws<OptionsValidationException>(() => factory.Server);

        Assert.Contains("Auth:Keystone:Url, Auth:Keystone:Password, Auth:Keystone:Project", error.Message, StringComparison.Ordinal);
    }
}
