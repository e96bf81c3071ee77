using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.OpenApi;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using Zaqar.Hub.Tests.Security;

namespace Zaqar.Hub.Tests.OpenApi;

/// <summary>
/// Requests made from the OpenAPI document alone (issue 15) are the requests the service accepts: path, headers and body
/// built from the document's schemas, answered with a documented status and the documented shape. And the document
/// follows the deployment: its limits, its Client-ID rule, its auth mode.
/// </summary>
public sealed class OpenApiExampleRequestTests(ZaqarTestServer server)
{
    [Fact]
    public async Task RequestsBuiltFromTheDocumentAreAcceptedWithTheDocumentedStatusAndShape()
    {
        var document = await OpenApiReading.ReadAsync(server.Factory);
        var caller = new DocumentCaller(server.Factory, document, "p-" + Guid.NewGuid().ToString("N")[..12]);
        var settings = "oa-settings-" + Guid.NewGuid().ToString("N")[..8];
        var work = "oa-work-" + Guid.NewGuid().ToString("N")[..8];

        Assert.Equal(HttpStatusCode.Created, (await caller.SendAsync("createQueue", settings)).Status);
        var posted = await caller.SendAsync("postMessages", work);
        var claimed = await caller.SendAsync("claimMessages", work);
        var subscribed = await caller.SendAsync("createQueueSubscription", work);
        var subscription = subscribed.Json!["subscription_id"]!.GetValue<string>();
        var confirmed = await caller.SendAsync("confirmQueueSubscription", work, subscription);
        var purged = await caller.SendAsync("purgeQueue", work);

        Assert.Equal(
            [HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.NoContent, HttpStatusCode.NoContent],
            new[] { posted, claimed, subscribed, confirmed, purged }.Select(r => r.Status));
        Assert.Single(posted.Json!["resources"]!.AsArray());
        Assert.Equal(posted.Json["resources"]![0]!.GetValue<string>().Split('/')[^1], claimed.Json!["messages"]![0]!["id"]!.GetValue<string>());
        // The settings the example metadata gave are the queue's.
        var stored = await caller.SendAsync("getQueue", settings);
        Assert.Equal(60, stored.Json!["_default_message_ttl"]!.GetValue<int>());
        var listed = await caller.SendAsync("listQueueSubscriptions", work);
        Assert.Equal("https://hooks.example.com/zaqar", listed.Json!["subscriptions"]![0]!["subscriber"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheDocumentShowsTheDeploymentsOwnLimitsAndClientIdRule()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?>
        {
            ["Zaqar:MaxMessagesPerPage"] = "7",
            ["Zaqar:MaxClaimTtl"] = "600",
            ["Zaqar:ClientIdUuidSafe"] = "Off",
        });

        var document = await OpenApiReading.ReadAsync(factory);

        var limit = OpenApiReading.Operation(document, "listMessages").Parameters!.Single(p => p.Name == "limit").Schema!;
        Assert.Equal("7", limit.Maximum);
        Assert.Equal("600", document.Components!.Schemas!["ClaimDocument"].Properties!["ttl"].Maximum);
        var clientId = OpenApiReading.Operation(document, "postMessages").Parameters!.Single(p => p.Name == "Client-ID").Schema!;
        Assert.Equal((null, 10, 36), (clientId.Format, clientId.MinLength, clientId.MaxLength));
    }

    [Fact]
    public async Task InTheJwtModeOperationsAskForATokenWhileTheDocumentStaysPublic()
    {
        await using var factory = server.CreateFactory(Tokens.JwtSettings());

        var document = await OpenApiReading.ReadAsync(factory);

        var (path, method, post) = OpenApiReading.Find(document, "postMessages");
        var schemes = post.Security!.Select(r => string.Join(",", r.Keys.Select(k => k.Reference.Id))).ToList();
        Assert.Equal(["bearer", "x-auth-token", ""], schemes);
        Assert.False(post.Parameters!.Single(p => p.Name == "X-Project-ID").Required);
        // A request made as the document says, with a bearer token, is accepted.
        var project = "p-" + Guid.NewGuid().ToString("N")[..12];
        var caller = new DocumentCaller(factory, document, project) { Token = Tokens.Issue(project) };
        Assert.Equal(HttpStatusCode.Created, (await caller.SendAsync("postMessages", "oa-jwt")).Status);
        Assert.Equal(("/v2/queues/{queue}/messages", HttpMethod.Post), (path, method));
    }
}

/// <summary>Sends an operation of the document as its description says: path, required headers and body from the schemas.</summary>
internal sealed class DocumentCaller(ZaqarFactory factory, OpenApiDocument document, string project)
{
    public string? Token { get; init; }

    public async Task<ZaqarClient.Response> SendAsync(string operationId, string queue, string? id = null)
    {
        var (path, method, operation) = OpenApiReading.Find(document, operationId);
        var headers = new Dictionary<string, string>();
        foreach (var parameter in operation.Parameters ?? [])
        {
            switch (parameter.In)
            {
                case ParameterLocation.Path:
                    var value = parameter.Name is "queue" or "topic" ? queue : id ?? throw new ArgumentNullException(nameof(id));
                    if (parameter.Schema?.Pattern is { } pattern)
                    {
                        Assert.Matches(new Regex(pattern), value);
                    }
                    path = path.Replace("{" + parameter.Name + "}", value, StringComparison.Ordinal);
                    break;
                case ParameterLocation.Header when parameter.Required:
                    headers[parameter.Name!] = parameter.Name == "X-Project-ID" ? project : SchemaExamples.Build(parameter.Schema!)!.GetValue<string>();
                    break;
            }
        }
        if (Token is not null)
        {
            headers["Authorization"] = "Bearer " + Token;
        }
        string? body = null;
        string? contentType = null;
        if (operation.RequestBody?.Content is { Count: > 0 } content)
        {
            (contentType, var requestMedia) = content.First();
            body = SchemaExamples.Build(requestMedia.Schema!)!.ToJsonString();
        }
        var response = await factory.RawAsync(method, path, headers, body, contentType);
        var status = ((int)response.Status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(operation.Responses!.ContainsKey(status), $"{operationId} answered {status}, which the document does not list: {response.Text}");
        if (operation.Responses[status].Content is { } documented && documented.TryGetValue("application/json", out var media) &&
            media.Schema is { } schema && (int)response.Status < 300)
        {
            foreach (var key in schema.Required ?? new HashSet<string>())
            {
                Assert.True(response.Json is JsonObject json && json.ContainsKey(key), $"{operationId}: '{key}' missing from {response.Text}");
            }
        }
        return response;
    }
}
