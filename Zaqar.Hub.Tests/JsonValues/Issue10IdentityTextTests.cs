using System.Net;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>
/// Issue 10: an identity is stored, compared and sent on as text, so X-Project-ID and Client-ID must be printable ASCII
/// (a NUL reached PostgreSQL). Refused with 400 "Malformed header value" on REST and when a hub connects, from headers or
/// from the query string; a strict Client-ID is a UUID, refused as Zaqar refuses any other non-UUID.
/// </summary>
public sealed class Issue10IdentityTextTests(ZaqarTestServer server)
{
    public static TheoryData<string> BadText => ["p\u0000", "p\u0001x", "tab\tinside", "del\u007f", "é-project", "日本", "p\u2028x"];

    [Theory, MemberData(nameof(BadText))]
    public async Task Issue10AProjectIdWithControlCharactersOrNonAsciiTextIsRefusedOnRest(string project)
    {
        var headers = RestTestHelpers.ValidHeaders();
        headers["X-Project-ID"] = project;

        var posted = await server.Factory.RawAsync(HttpMethod.Post, "/v2/queues/q/messages", headers, """{"messages":[{"body":1}]}""");
        var listed = await server.Factory.RawAsync(HttpMethod.Get, "/v2/queues", headers);

        Assert.Equal((HttpStatusCode.BadRequest, "Malformed header value"), (posted.Status, posted.Title));
        Assert.Contains("X-Project-ID", posted.Description, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "Malformed header value"), (listed.Status, listed.Title));
    }

    [Theory, MemberData(nameof(BadText))]
    public async Task Issue10WithUuidSafetyOffAClientIdWithControlCharactersOrNonAsciiTextIsRefused(string suffix)
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Zaqar:ClientIdUuidSafe"] = "Off" });
        var headers = RestTestHelpers.ValidHeaders();
        headers["Client-ID"] = "client-name-" + suffix;

        var posted = await factory.RawAsync(HttpMethod.Post, "/v2/queues/q/messages", headers, """{"messages":[{"body":1}]}""");

        Assert.Equal((HttpStatusCode.BadRequest, "Malformed header value"), (posted.Status, posted.Title));
        Assert.Contains("Client-ID", posted.Description, StringComparison.Ordinal);
        headers["Client-ID"] = "client-name-ok";
        Assert.Equal(HttpStatusCode.OK, (await factory.RawAsync(HttpMethod.Get, "/v2/queues/q/stats", headers)).Status);
    }

    [Fact]
    public async Task Issue10AStrictClientIdWithNonAsciiDigitsIsAMalformedUuid()
    {
        var headers = RestTestHelpers.ValidHeaders();
        headers["Client-ID"] = "١٢٣٤٥٦٧٨-1234-1234-1234-123456789012";

        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/queues", headers);

        Assert.Equal((HttpStatusCode.BadRequest, "Wrong UUID value"), (response.Status, response.Title));
    }

    [Theory]
    [InlineData("p%00", HubWireProtocol.Json)]
    [InlineData("p%01x", HubWireProtocol.MessagePack)]
    [InlineData("%C3%A9-project", HubWireProtocol.Json)]
    [InlineData("p%E2%80%A8x", HubWireProtocol.MessagePack)]
    public async Task Issue10AHubConnectionWhoseQueryStringProjectIsNotPrintableAsciiIsRefusedWith400(string project, HubWireProtocol protocol)
    {
        var refused = await HubTestKit.RefusedAsync(() =>
            HubTestKit.ConnectHubAsync(new Uri(server.Kestrel.BaseUri, $"/hubs/queues?project_id={project}&client_id={Guid.NewGuid()}"), protocol));

        Assert.Equal(HttpStatusCode.BadRequest, refused);
    }

    [Fact]
    public async Task Issue10NegotiateWithANonAsciiProjectIsRefusedWithRestsErrorBody()
    {
        // Negotiate as the official clients send it; the body is REST's error body.
        using var http = server.Factory.CreateClient();
        using var refused = await http.PostAsync(
            $"/hubs/queues/negotiate?negotiateVersion=1&project_id=%C3%A9&client_id={Guid.NewGuid()}", null, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Malformed header value", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
