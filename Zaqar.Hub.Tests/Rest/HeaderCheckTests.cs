using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>The checks run before every /v2 request, and their order (zaqar-v2-api.md section 1.2).</summary>
public sealed class HeaderCheckTests(ZaqarTestServer server)
{
    private const string Form = "application/x-www-form-urlencoded";

    [Fact]
    public async Task AFormEncodedBodyIsRejectedBeforeAnythingElse()
    {
        // Everything else is wrong too: the content type is checked first.
        var headers = new Dictionary<string, string> { ["Accept"] = "text/html" };

        var response = await server.Factory.RawAsync(HttpMethod.Post, "/v2/queues/bad!name/messages", headers, "a=1", Form);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid Content-Type", "application/x-www-form-urlencoded");
    }

    [Fact]
    public async Task AFormContentTypeWithoutABodyIsNotChecked()
    {
        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/queues", RestTestHelpers.ValidHeaders(), "", Form);

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task AnAcceptThatDoesNotAdmitJsonIsNotAcceptableBeforeTheClientIdIsChecked()
    {
        var headers = new Dictionary<string, string> { ["Accept"] = "text/html" };

        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/queues", headers);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.Status);
        Assert.NotNull(response.Title);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/*")]
    [InlineData("*/*")]
    [InlineData("text/html, application/json;q=0.5")]
    [InlineData("APPLICATION/JSON")]
    public async Task AcceptHeadersAdmittingJsonAreServed(string accept)
    {
        var headers = RestTestHelpers.ValidHeaders();
        headers["Accept"] = accept;

        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/queues", headers);

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml, text/*")]
    [InlineData("application/json;q=0")]
    public async Task AcceptHeadersNotAdmittingJsonAreNotAcceptable(string accept)
    {
        var headers = RestTestHelpers.ValidHeaders();
        headers["Accept"] = accept;

        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/queues", headers);

        Assert.Equal(HttpStatusCode.NotAcceptable, response.Status);
    }

    [Theory]
    [InlineData("/v2/queues")]
    [InlineData("/v2/ping")]
    [InlineData("/v2/health")]
    [InlineData("/v2/queues/q/messages")]
    public async Task AMissingClientIdIsRejectedOnEveryV2Path(string path)
    {
        // No project either: the Client-ID is checked first.
        var response = await server.Factory.RawAsync(HttpMethod.Get, path);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("""{"title":"Missing header value","description":"The \"Client-ID\" header is required."}""", response.Text);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c330")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c33011")]
    [InlineData("3f2504e04f8911d39a0c0305e82c330g")]
    [InlineData("URN:UUID:3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public async Task AMalformedClientIdIsAWrongUuidValueBeforeTheProjectIsChecked(string clientId)
    {
        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/queues", new Dictionary<string, string> { ["Client-ID"] = clientId });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("""{"title":"Wrong UUID value","description":"Malformed hexadecimal UUID."}""", response.Text);
    }

    [Theory]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("3F2504E0-4F89-11D3-9A0C-0305E82C3301")]
    [InlineData("3f2504e04f8911d39a0c0305e82c3301")]
    [InlineData("{3f2504e0-4f89-11d3-9a0c-0305e82c3301}")]
    [InlineData("urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    [InlineData("{urn:uuid:3f2504e0-4f89-11d3-9a0c-0305e82c3301}")]
    [InlineData("3f2504e0-4f8911d3-9a0c0305-e82c3301")]
    public async Task ClientIdsAreAcceptedInEveryFormPythonsUuidAccepts(string clientId)
    {
        var headers = RestTestHelpers.ValidHeaders();
        headers["Client-ID"] = clientId;

        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/queues", headers);

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task EveryFormOfTheSameUuidIsTheSameClientForEcho()
    {
        using var poster = server.NewProject("{3F2504E0-4F89-11D3-9A0C-0305E82C3301}");
        await poster.PostMessagesAsync("echo", "mine");
        using var same = new ZaqarClient(server.Factory.CreateClient(), poster.Project, "3f2504e04f8911d39a0c0305e82c3301");

        var hidden = await same.GetAsync("/v2/queues/echo/messages");
        var echoed = await same.GetAsync("/v2/queues/echo/messages?echo=true");

        Assert.Empty(hidden.Json!["messages"]!.AsArray());
        Assert.Single(echoed.Json!["messages"]!.AsArray());
    }

    [Theory]
    [InlineData("short", false)]
    [InlineData("123456789", false)]
    [InlineData("1234567890", true)]
    [InlineData("any client name of thirty six chars", true)]
    [InlineData("any client name of thirty-seven chars", false)]
    public async Task WithUuidSafetyOffAClientIdIsAnyStringOfTenToThirtySixCharacters(string clientId, bool accepted)
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Zaqar:ClientIdUuidSafe"] = "Off" });
        var headers = RestTestHelpers.ValidHeaders();
        headers["Client-ID"] = clientId;

        var response = await factory.RawAsync(HttpMethod.Get, "/v2/queues", headers);

        Assert.Equal(accepted ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.Status);
    }

    [Fact]
    public async Task AMissingProjectIdIsRejected()
    {
        var headers = new Dictionary<string, string> { ["Client-ID"] = Guid.NewGuid().ToString() };

        var response = await server.Factory.RawAsync(HttpMethod.Get, "/v2/queues/bad!name", headers);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("""{"title":"Project-Id Missing","description":"The header X-PROJECT-ID was missing"}""", response.Text);
    }

    [Fact]
    public async Task AnEmptyProjectIdIsRejected()
    {
        // HttpClient drops empty header values; set the header on the server's request directly.
        var context = await server.Factory.Server.SendAsync(http =>
        {
            http.Request.Method = "GET";
            http.Request.Path = "/v2/queues";
            http.Request.Headers["Client-ID"] = Guid.NewGuid().ToString();
            http.Request.Headers["X-Project-ID"] = "";
        }, TestContext.Current.CancellationToken);

        Assert.Equal(400, context.Response.StatusCode);
        var body = await System.Text.Json.Nodes.JsonNode.ParseAsync(context.Response.Body, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("Empty project header not allowed", body!["title"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("GET", "/v2/queues/{0}")]
    [InlineData("PUT", "/v2/queues/{0}")]
    [InlineData("DELETE", "/v2/queues/{0}")]
    [InlineData("GET", "/v2/queues/{0}/stats")]
    [InlineData("POST", "/v2/queues/{0}/purge")]
    [InlineData("GET", "/v2/queues/{0}/messages?limit=abc")]
    [InlineData("POST", "/v2/queues/{0}/messages")]
    [InlineData("DELETE", "/v2/queues/{0}/messages")]
    [InlineData("GET", "/v2/queues/{0}/messages/1")]
    [InlineData("POST", "/v2/queues/{0}/claims?limit=abc")]
    [InlineData("PATCH", "/v2/queues/{0}/claims/1")]
    public async Task AnInvalidQueueNameInThePathIsRejectedBeforeTheRequestIsRead(string method, string template)
    {
        // The body is malformed and the parameters bad as well: the name is checked first.
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, "bad!name");

        var response = await server.Factory.RawAsync(new HttpMethod(method), path, RestTestHelpers.ValidHeaders(), "{not json");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(
            """{"title":"Invalid queue identification","description":"The format of the submitted queue name or project id is not valid."}""",
            response.Text);
    }

    [Theory]
    [InlineData("bad!name")]
    [InlineData("with%20space")]
    [InlineData("%C3%A9t%C3%A9")]
    [InlineData("a-name-of-sixty-five-characters-is-one-more-than-the-limit-000000")]
    public async Task QueueNamesOutsideTheRulesAreInvalid(string name)
    {
        using var client = server.NewProject();

        var response = await client.PutAsync($"/v2/queues/{name}");

        response.AssertError(HttpStatusCode.BadRequest, "Invalid queue identification");
    }

    [Theory]
    [InlineData("a")]
    [InlineData("with.dots")]
    [InlineData("Under_score-and-dash-09")]
    [InlineData("a-name-of-sixty-four-characters-is-exactly-at-the-limit-00000000")]
    public async Task QueueNamesOfLettersDigitsUnderscoresDashesAndDotsUpToSixtyFourCharactersAreValid(string name)
    {
        using var client = server.NewProject();

        var response = await client.PutAsync($"/v2/queues/{name}");

        Assert.Equal(HttpStatusCode.Created, response.Status);
    }

    [Fact]
    public async Task AProjectIdLongerThan256CharactersIsInvalidWhereAQueueIsNamed()
    {
        using var client = new ZaqarClient(server.Factory.CreateClient(), new string('p', 257), Guid.NewGuid().ToString());
        using var longest = new ZaqarClient(server.Factory.CreateClient(), new string('q', 256), Guid.NewGuid().ToString());

        var tooLong = await client.PutAsync("/v2/queues/q");
        var atLimit = await longest.GetAsync("/v2/queues/q");

        tooLong.AssertError(HttpStatusCode.BadRequest, "Invalid queue identification");
        Assert.Equal(HttpStatusCode.OK, atLimit.Status);
    }
}
