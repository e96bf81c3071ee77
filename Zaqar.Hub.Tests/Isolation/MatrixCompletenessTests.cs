using System.Reflection;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Hub.Hubs;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>
/// The isolation matrix covers the whole app (issue #6): a REST endpoint or hub method added without an isolation case
/// fails here, named, until its cases are added to <see cref="RestMatrix"/> or <see cref="HubMatrix"/>.
/// </summary>
[Collection(IsolationCollection.Name)]
public sealed class MatrixCompletenessTests(IsolationWorld world)
{
    /// <summary>The hub's own endpoints: connecting and negotiating; what a connection can do is the hub matrix's.</summary>
    private static readonly string[] HubEndpoints = [QueuesHub.Path, QueuesHub.Path + "/negotiate"];

    [Fact]
    public void EveryRestEndpointHasAnIsolationCase()
    {
        // Zaqar's websocket transport is one endpoint; what its frames can do is SocketMatrix's (issue 13).
        var endpoints = Endpoints().Where(e => !HubEndpoints.Contains(e.Route) && e.Route != Hosting.SocketHostingExtensions.Path)
            .Select(e => e.Key).ToHashSet();
        var covered = RestMatrix.All.Select(c => $"{c.Verb} {c.Route}").ToHashSet();

        var missing = endpoints.Except(covered).Order().ToList();
        var stale = covered.Except(endpoints).Order().ToList();
        Assert.True(missing.Count == 0,
            "REST endpoints without an isolation case (add them to RestMatrix):\n" + string.Join("\n", missing));
        Assert.True(stale.Count == 0, "RestMatrix cases for endpoints the app does not map:\n" + string.Join("\n", stale));
    }

    [Fact]
    public void EveryPublicHubMethodHasAnIsolationCase()
    {
        var methods = typeof(QueuesHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType == typeof(QueuesHub))
            .Select(m => m.Name)
            .ToHashSet();
        var covered = HubMatrix.All.Select(c => c.Method).ToHashSet();

        var missing = methods.Except(covered).Order().ToList();
        var stale = covered.Except(methods).Order().ToList();
        Assert.True(missing.Count == 0, "Hub methods without an isolation case (add them to HubMatrix):\n" + string.Join("\n", missing));
        Assert.True(stale.Count == 0, "HubMatrix cases for methods the hub does not have:\n" + string.Join("\n", stale));
        var hubEndpoints = Endpoints().Where(e => e.Route.StartsWith(QueuesHub.Path, StringComparison.Ordinal)).Select(e => e.Route);
        Assert.Equal(HubEndpoints.Order(), hubEndpoints.Distinct().Order());
    }

    /// <summary>Every route endpoint the app maps, once per HTTP method ("*" for any method).</summary>
    private IEnumerable<(string Key, string Route)> Endpoints() =>
        world.NoAuth.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(method => ($"{method} {e.RoutePattern.RawText}", e.RoutePattern.RawText ?? string.Empty)));
}
