using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Zaqar.Hub.Hosting;
using Zaqar.Hub.Rest;
using Zaqar.Hub.Rest.OpenApi;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Pools;
using Zaqar.Hub.Tests.Rest;
using Zaqar.Hub.Tests.Rest.Fuzzing;

namespace Zaqar.Hub.Tests.OpenApi;

/// <summary>
/// The OpenAPI document (issue 15) against the service's real endpoints, so it cannot drift: every REST route and method
/// is in it with its parameters, success and error answers, and nothing in it is not a route. Read from a pooled
/// deployment in admin mode, where every route is mapped.
/// </summary>
public sealed class OpenApiDocumentTests(OpenApiDocumentTests.Deployment deployment) : IClassFixture<OpenApiDocumentTests.Deployment>
{
    /// <summary>A pooled deployment (pools and flavors routed) and its document, read once for the class.</summary>
    public sealed class Deployment(ZaqarTestServer server) : IAsyncLifetime
    {
        public PooledDeployment Pools { get; private set; } = null!;

        public OpenApiDocument Document { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Pools = await PooledDeployment.StartAsync(server);
            Document = await OpenApiReading.ReadAsync(Pools.Factory);
        }

        public ValueTask DisposeAsync() => Pools.DisposeAsync();
    }

    /// <summary>
    /// Endpoints the document leaves out by design: the hub's (SignalR's protocol, described by the console's TypeScript
    /// definitions), the document and its reference page. Zaqar's websocket path and the 404 fallback serve any method and
    /// are no operation.
    /// </summary>
    private static bool Described(string route) =>
        !route.Contains(" /hubs/", StringComparison.Ordinal) && !route.Contains(" /openapi/", StringComparison.Ordinal) &&
        !route.Contains(" /docs/", StringComparison.Ordinal) && !route.StartsWith("* ", StringComparison.Ordinal);

    private IEnumerable<RouteEndpoint> Endpoints =>
        deployment.Pools.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

    [Fact]
    public void EveryRestRouteAndMethodIsInTheDocumentAndNothingElse()
    {
        var routed = RestRouteTable.Routed(deployment.Pools.Factory.Services.GetRequiredService<EndpointDataSource>())
            .Where(Described).ToHashSet();
        var documented = deployment.Document.Paths
            .SelectMany(p => p.Value.Operations!.Keys.Select(m => $"{m.Method} {p.Key}")).ToHashSet();

        Assert.Empty(routed.Except(documented).Order());
        Assert.Empty(documented.Except(routed).Order());
        // Every family of routes is there: the pooled admin deployment maps them all.
        Assert.Contains("GET /v2/pools", documented);
        Assert.Contains("PUT /v2/flavors/{flavor}", documented);
        Assert.Contains("GET /v2/health", documented);
        Assert.Contains("GET /health/ready", documented);
        Assert.Contains("GET /metrics", documented);
        Assert.Contains("GET /v2/", documented);
    }

    [Fact]
    public void EveryOperationHasItsRouteAndQueryParametersAnIdATagAndASummary()
    {
        var ids = new HashSet<string>();
        foreach (var endpoint in Endpoints.Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is not null))
        {
            foreach (var (route, operation) in Operations(endpoint))
            {
                Assert.True(ids.Add(operation.OperationId ?? ""), $"{route}: operation id '{operation.OperationId}' missing or not unique");
                Assert.False(string.IsNullOrWhiteSpace(operation.Summary), $"{route}: no summary");
                Assert.NotEmpty(operation.Tags ?? new HashSet<OpenApiTagReference>());
                var parameters = operation.Parameters ?? [];
                foreach (var name in endpoint.RoutePattern.Parameters.Select(p => p.Name))
                {
                    Assert.True(parameters.Any(p => p.In == ParameterLocation.Path && p.Name == name && p.Required), $"{route}: path parameter {name}");
                }
                foreach (var query in endpoint.Metadata.GetOrderedMetadata<QueryParameterDoc>())
                {
                    Assert.True(parameters.Any(p => p.In == ParameterLocation.Query && p.Name == query.Name), $"{route}: query parameter {query.Name}");
                }
                if (endpoint.Metadata.GetMetadata<RequestBodyDoc>() is { } body)
                {
                    Assert.True(operation.RequestBody?.Content?.ContainsKey(body.ContentType) == true, $"{route}: request body");
                    Assert.Equal(!body.Optional, operation.RequestBody!.Required);
                }
            }
        }
        Assert.Contains("postMessages", ids);
    }

    [Fact]
    public void EveryV2OperationNamesItsHeadersItsSuccessAndEveryFailureWithZaqarsErrorBody()
    {
        var checkedRoutes = 0;
        foreach (var endpoint in Endpoints.Where(e => e.Metadata.GetMetadata<RestHeaderChecks>() is not null))
        {
            foreach (var (route, operation) in Operations(endpoint))
            {
                var headers = (operation.Parameters ?? []).Where(p => p.In == ParameterLocation.Header).ToDictionary(p => p.Name!);
                Assert.True(headers["Client-ID"].Required, route);
                Assert.True(headers["X-Project-ID"].Required, route);
                Assert.Contains("URL-Signature", headers.Keys);
                var responses = operation.Responses!;
                Assert.True(responses.Keys.Any(s => s[0] is '2' or '3'), $"{route}: no success answer");
                var failures = endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Select(p => p.StatusCode)
                    .Where(s => s >= 400).Concat(RestHeaderChecks.Failures).Distinct();
                foreach (var status in failures)
                {
                    var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    Assert.True(responses.TryGetValue(key, out var response), $"{route}: no {status}");
                    var schema = response!.Content!["application/json"].Schema;
                    Assert.Equal("ErrorView", (schema as OpenApiSchemaReference)?.Reference.Id);
                    Assert.Equal(["title"], schema!.Required!);
                    Assert.Equal(["description", "title"], schema.Properties!.Keys.Order());
                }
                checkedRoutes++;
            }
        }
        Assert.True(checkedRoutes > 50, $"only {checkedRoutes} /v2 operations checked");
    }

    [Fact]
    public void ParametersAndBodiesCarryZaqarsLimitsAndNameRule()
    {
        var document = deployment.Document;

        var listQueues = OpenApiReading.Operation(document, "listQueues");
        var limit = listQueues.Parameters!.Single(p => p.Name == "limit").Schema!;
        Assert.Equal(("1", "20"), (limit.Minimum, limit.Maximum));
        var queue = OpenApiReading.Operation(document, "getQueue").Parameters!.Single(p => p.Name == "queue").Schema!;
        Assert.Equal((Api.IdentityRules.QueueNamePatternText, 64), (queue.Pattern, queue.MaxLength));
        var detailed = listQueues.Parameters!.Single(p => p.Name == "detailed").Schema!;
        Assert.Contains("yes", detailed.Enum!.Select(v => v!.GetValue<string>()));

        var message = document.Components!.Schemas!["PostMessagesDocument"].Properties!["messages"].Items!;
        Assert.Equal(["body"], message.Required!);
        Assert.Equal(("60", "1209600"), (message.Properties!["ttl"].Minimum, message.Properties["ttl"].Maximum));
        Assert.Equal(JsonSchemaType.Integer, message.Properties["ttl"].Type & ~JsonSchemaType.Null);
        var claim = document.Components.Schemas["ClaimDocument"];
        Assert.Equal(("60", "43200"), (claim.Properties!["grace"].Minimum, claim.Properties["grace"].Maximum));
        var patch = OpenApiReading.Operation(document, "patchQueue").RequestBody!.Content!;
        Assert.Equal(["application/openstack-messaging-v2.0-json-patch"], patch.Keys);
    }

    [Fact]
    public void TheTokenModesSchemesAreDeclared()
    {
        var schemes = deployment.Document.Components!.SecuritySchemes!;

        Assert.Equal(SecuritySchemeType.Http, schemes["bearer"].Type);
        Assert.Equal("bearer", schemes["bearer"].Scheme);
        Assert.Equal((SecuritySchemeType.ApiKey, ParameterLocation.Header, "X-Auth-Token"),
            (schemes["x-auth-token"].Type, schemes["x-auth-token"].In!.Value, schemes["x-auth-token"].Name));
    }

    /// <summary>The document's operations for an endpoint: one per HTTP method it serves.</summary>
    private IEnumerable<(string Route, OpenApiOperation Operation)> Operations(RouteEndpoint endpoint)
    {
        var path = endpoint.RoutePattern.RawText!;
        if (!Described("GET " + path))
        {
            yield break;
        }
        var item = deployment.Document.Paths[path];
        foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
        {
            yield return ($"{method} {path}", item.Operations![HttpMethod.Parse(method)]);
        }
    }
}
