using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.SignalR.Client;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>
/// A service instance on a real loopback port (Kestrel), for tests that need real sockets: refused upgrades with their
/// HTTP status, and TCP back-pressure from a subscriber that stops reading.
/// </summary>
public sealed class KestrelService : IAsyncDisposable
{
    private KestrelService(ZaqarFactory factory, Uri baseUri)
    {
        Factory = factory;
        BaseUri = baseUri;
    }

    public ZaqarFactory Factory { get; }

    /// <summary>http://127.0.0.1:port</summary>
    public Uri BaseUri { get; }

    /// <summary>Starts an instance with <paramref name="settings"/> and extra <paramref name="services"/>.</summary>
    public static KestrelService Start(
        ZaqarTestServer server, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var port = LoopbackPort.Free();
        var factory = server.CreateFactory(settings, services: services);
        factory.UseKestrel(port);
        factory.StartServer();
        return new KestrelService(factory, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>A REST client of a fresh project on this instance (over the socket).</summary>
    public ZaqarClient NewProject() =>
        new(new HttpClient { BaseAddress = BaseUri }, "k-" + Guid.NewGuid().ToString("N")[..12], Guid.NewGuid().ToString());

    /// <summary>A started hub connection over a real socket (loopback) to <paramref name="pathAndQuery"/>.</summary>
    public Task<HubClient> ConnectHubAsync(HubWireProtocol protocol, string pathAndQuery, Action<HubClientOptions>? configure = null) =>
        HubTestKit.ConnectHubAsync(new Uri(BaseUri, pathAndQuery), protocol, configure);

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
