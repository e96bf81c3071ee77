using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;

namespace Zaqar.Hub.Rest.OpenApi;

/// <summary>
/// The document as a whole (issue 15): its title, the security schemes of the token modes, and the operations of the
/// endpoints a middleware pipeline answers (probes, scrape), which carry a <see cref="PipelineEndpointDoc"/>.
/// </summary>
internal sealed class ZaqarDocumentTransformer(EndpointDataSource endpoints) : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "bearer";
    public const string AuthTokenScheme = "x-auth-token";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "ZaqarHub REST API",
            Version = "2",
            Description =
                "OpenStack Zaqar's v2 messaging API (queues, messages, claims, subscriptions, topics, pools, flavors, pre-signed URLs) " +
                "with ZaqarHub's additions (presence, delivery status, probes). Every failure answers `{\"title\", \"description\"}`. " +
                "The same operations are offered over the SignalR hub at /hubs/queues and Zaqar's websocket transport at /v2/ws.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "Auth:Mode=Jwt: a JWT from the configured issuer (Auth:Mode=Keystone also takes a Keystone token here).",
        };
        document.Components.SecuritySchemes[AuthTokenScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = "X-Auth-Token",
            Description = "Auth:Mode=Keystone: a Keystone token (a JWT is accepted here too in Auth:Mode=Jwt).",
        };
        document.Paths ??= [];
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            var path = endpoint.RoutePattern.RawText ?? "";
            if (endpoint.Metadata.GetMetadata<PipelineEndpointDoc>() is { } doc)
            {
                document.Paths[path] = PipelinePath(doc, document);
            }
            // Routing is slash-exact (DiscoveryApi.UseSlashExactRouting): the home document is "/v2/", and "/v2" is 404,
            // but the generator drops the trailing slash.
            if (path.Length > 1 && path.EndsWith('/') && document.Paths.Remove(path.TrimEnd('/'), out var item))
            {
                document.Paths[path] = item;
            }
        }
        return Task.CompletedTask;
    }

    private static OpenApiPathItem PipelinePath(PipelineEndpointDoc doc, OpenApiDocument document)
    {
        document.Tags ??= new HashSet<OpenApiTag>();
        if (!document.Tags.Any(t => t.Name == doc.Tag))
        {
            document.Tags.Add(new OpenApiTag { Name = doc.Tag, Description = "Probes and the scrape, for orchestrators and operators (no headers)." });
        }
        var responses = new OpenApiResponses();
        foreach (var status in doc.Statuses)
        {
            responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [doc.ContentType] = new() { Schema = new OpenApiSchema { Type = doc.ContentType.StartsWith("text/", StringComparison.Ordinal) ? JsonSchemaType.String : JsonSchemaType.Object } },
                },
            };
        }
        var operation = new OpenApiOperation
        {
            OperationId = doc.OperationId,
            Summary = doc.Summary,
            Tags = new HashSet<OpenApiTagReference> { new(doc.Tag, document) },
            Responses = responses,
        };
        return new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } };
    }
}
