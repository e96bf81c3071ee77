using System.Net;
using System.Text.RegularExpressions;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.OpenApi;

/// <summary>
/// Scalar's reference page of the OpenAPI document (issue 15): served by the service itself with the script bundled in
/// Scalar.AspNetCore, needing nothing from another host (the service may run with no network), and public.
/// </summary>
public sealed partial class ReferencePageTests(ZaqarTestServer server)
{
    [Fact]
    public async Task TheReferencePageLoadsOnlyScriptsTheServiceServesAndReadsItsOwnDocument()
    {
        // "/docs" leads to "/docs/", the page's address (the trailing slash is its own, not a Zaqar path's).
        var page = await server.Factory.RawAsync(HttpMethod.Get, "/docs");

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.StartsWith("text/html", page.Headers["Content-Type"], StringComparison.Ordinal);
        var addresses = Addresses().Matches(page.Text).Select(m => m.Groups["url"].Value).ToList();
        Assert.Equal(["scalar.js", "scalar.aspnetcore.js"], addresses);
        foreach (var script in addresses)
        {
            var response = await server.Factory.RawAsync(HttpMethod.Get, "/docs/" + script);
            Assert.Equal(HttpStatusCode.OK, response.Status);
            Assert.Equal("text/javascript", response.Headers["Content-Type"]);
        }
        // The document the page reads, and no web fonts, telemetry or AI agent from Scalar's hosts.
        Assert.Contains("\"url\":\"openapi/v1.json\"", page.Text, StringComparison.Ordinal);
        Assert.Contains("\"withDefaultFonts\":false", page.Text, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", page.Text, StringComparison.Ordinal);
        Assert.Contains("\"agent\":{\"disabled\":true}", page.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("http", page.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheBundledScriptIsTheWholeReferenceApplication()
    {
        var script = await server.Factory.RawAsync(HttpMethod.Get, "/docs/scalar.js");

        Assert.Equal(HttpStatusCode.OK, script.Status);
        // Scalar's standalone bundle is megabytes, not a loader that fetches the application from a CDN.
        Assert.True(script.Text.Length > 1_000_000, $"scalar.js is {script.Text.Length} characters");
        Assert.Contains("createApiReference", script.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDocumentAndThePageNeedNoHeadersAndTheDocumentNamesNoTenant()
    {
        using var tenant = server.NewProject();
        await tenant.PutAsync("/v2/queues/openapi-tenant-queue");

        var document = await server.Factory.RawAsync(HttpMethod.Get, "/openapi/v1.json");
        var page = await server.Factory.RawAsync(HttpMethod.Get, "/docs/v1");

        Assert.Equal(HttpStatusCode.OK, document.Status);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.DoesNotContain(tenant.Project, document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("openapi-tenant-queue", document.Text, StringComparison.Ordinal);
    }

    [GeneratedRegex("(?:src|href)=\"(?<url>[^\"]+)\"")]
    private static partial Regex Addresses();
}
