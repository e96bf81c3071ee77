using System.Net;
using Microsoft.OpenApi;
using Zaqar.Hub.Hosting;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.OpenApi;

/// <summary>Fetching the service's OpenAPI document without credentials and reading it with Microsoft.OpenApi's reader.</summary>
internal static class OpenApiReading
{
    public static async Task<OpenApiDocument> ReadAsync(ZaqarFactory factory)
    {
        var response = await factory.RawAsync(HttpMethod.Get, OpenApiHostingExtensions.DocumentPath);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.StartsWith("application/json", response.Headers["Content-Type"], StringComparison.Ordinal);
        var (document, diagnostic) = OpenApiDocument.Parse(response.Text, "json");
        Assert.Empty(diagnostic!.Errors.Select(e => e.ToString()));
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic.SpecificationVersion);
        return document!;
    }

    public static OpenApiOperation Operation(OpenApiDocument document, string operationId) => Find(document, operationId).Operation;

    /// <summary>The path, method and operation of an operation id.</summary>
    public static (string Path, HttpMethod Method, OpenApiOperation Operation) Find(OpenApiDocument document, string operationId) =>
        document.Paths.SelectMany(p => p.Value.Operations!.Select(o => (p.Key, o.Key, o.Value))).Single(o => o.Value.OperationId == operationId);
}
