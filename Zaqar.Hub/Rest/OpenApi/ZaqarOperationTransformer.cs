using System.Globalization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;

namespace Zaqar.Hub.Rest.OpenApi;

/// <summary>
/// What every /v2 operation shares, added to the document once (issue 15): the identity and pre-signed URL headers the
/// header checks read (zaqar-v2-api.md 1.2, 6), the security the configured mode accepts, the queue-name rule on the
/// <c>{queue}</c>/<c>{topic}</c> path parameter, and the query parameters each route declares with <see cref="QueryParameterDoc"/>.
/// </summary>
internal sealed class ZaqarOperationTransformer : IOpenApiOperationTransformer
{
    private static readonly string[] NameParameters = ["queue", "topic"];

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var zaqar = context.ApplicationServices.GetRequiredService<IOptions<ZaqarOptions>>().Value;
        operation.Parameters ??= [];
        foreach (var query in metadata.OfType<QueryParameterDoc>())
        {
            operation.Parameters.Add(QueryParameter(query, zaqar));
        }
        if (metadata.OfType<RequestBodyDoc>().FirstOrDefault() is { } body)
        {
            operation.RequestBody = await RequestBodyAsync(body, context, cancellationToken);
        }
        if (!metadata.OfType<RestHeaderChecks>().Any())
        {
            return;
        }
        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Path && NameParameters.Contains(p.Name)))
        {
            parameter.Description = "The queue (or topic) name: letters, digits, '_', '-' and '.'.";
            parameter.Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Pattern = Api.IdentityRules.QueueNamePatternText,
                MinLength = 1,
                MaxLength = Api.IdentityRules.MaxQueueNameLength,
            };
        }
        var mode = context.ApplicationServices.GetRequiredService<IOptions<AuthOptions>>().Value.Mode;
        foreach (var header in Headers(zaqar, mode))
        {
            operation.Parameters.Add(header);
        }
        if (mode != AuthMode.NoAuth && context.Document is { } document)
        {
            // Either token scheme; a pre-signed URL (its headers above) needs neither.
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ZaqarDocumentTransformer.BearerScheme, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ZaqarDocumentTransformer.AuthTokenScheme, document)] = [] },
                new OpenApiSecurityRequirement(),
            ];
        }
    }

    /// <summary>The request document, as a component of the document named after its type (an array: of its element type).</summary>
    private static async Task<OpenApiRequestBody> RequestBodyAsync(RequestBodyDoc body, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var element = body.Type.IsArray ? body.Type.GetElementType()! : body.Type;
        IOpenApiSchema schema = await context.GetOrCreateSchemaAsync(element, parameterDescription: null, ct);
        if (context.Document is { } document)
        {
            document.Components ??= new OpenApiComponents();
            document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
            document.Components.Schemas.TryAdd(element.Name, schema);
            schema = new OpenApiSchemaReference(element.Name, document);
        }
        if (body.Type.IsArray)
        {
            schema = new OpenApiSchema { Type = JsonSchemaType.Array, Items = schema, MinItems = 1 };
        }
        return new OpenApiRequestBody
        {
            Required = !body.Optional,
            Content = new Dictionary<string, OpenApiMediaType> { [body.ContentType] = new() { Schema = schema } },
        };
    }

    private static OpenApiParameter QueryParameter(QueryParameterDoc query, ZaqarOptions zaqar)
    {
        var schema = query.Kind switch
        {
            QueryKind.Integer => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            QueryKind.Boolean => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = [.. RestRequest.BooleanStrings.Select(b => (System.Text.Json.Nodes.JsonNode)b!)],
            },
            _ => new OpenApiSchema { Type = JsonSchemaType.String },
        };
        var description = query.Description;
        if (query.Bounds is { } bounds)
        {
            var (min, max) = bounds(zaqar);
            if (query.Kind == QueryKind.Integer)
            {
                schema.Minimum = min.ToString(CultureInfo.InvariantCulture);
                schema.Maximum = max.ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                description += string.Create(CultureInfo.InvariantCulture, $" {min} to {max} items, comma-separated.");
            }
        }
        return new OpenApiParameter { Name = query.Name, In = ParameterLocation.Query, Description = description, Schema = schema };
    }

    /// <summary>The headers the /v2 header checks read, in their order.</summary>
    private static IEnumerable<OpenApiParameter> Headers(ZaqarOptions zaqar, AuthMode mode)
    {
        var clientId = zaqar.ClientIdUuidSafe == ClientIdMode.Strict
            ? new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" }
            : new OpenApiSchema { Type = JsonSchemaType.String, MinLength = zaqar.MinLengthClientId, MaxLength = zaqar.MaxLengthClientId };
        yield return Header("Client-ID", "The client's id: messages it posted are hidden from its own listings unless echo=true.", clientId, required: true);
        yield return Header("X-Project-ID",
            mode == AuthMode.NoAuth ? "The project (tenant) the request acts in." : "Optional with a token; if sent it must be the token's project.",
            new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = Api.IdentityRules.MaxProjectIdLength }, required: mode == AuthMode.NoAuth);
        if (mode == AuthMode.NoAuth)
        {
            yield return Header("X-Roles", "Comma-separated roles; `admin` opens the operator routes.", new OpenApiSchema { Type = JsonSchemaType.String });
        }
        yield return Header("URL-Signature", "Pre-signed URL: the signature returned by POST /v2/queues/{queue}/share.", new OpenApiSchema { Type = JsonSchemaType.String });
        yield return Header("URL-Expires", "Pre-signed URL: its `expires`.", new OpenApiSchema { Type = JsonSchemaType.String });
        yield return Header("URL-Methods", "Pre-signed URL: its `methods`, comma-separated.", new OpenApiSchema { Type = JsonSchemaType.String });
        yield return Header("URL-Paths", "Pre-signed URL: its `paths`, comma-separated.", new OpenApiSchema { Type = JsonSchemaType.String });
    }

    private static OpenApiParameter Header(string name, string description, OpenApiSchema schema, bool required = false) =>
        new() { Name = name, In = ParameterLocation.Header, Description = description, Required = required, Schema = schema };
}
