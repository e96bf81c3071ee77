using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>One service instance of a test cluster, on a real port (Kestrel), as a separate process would run it.</summary>
public sealed class ServiceNode : IAsyncDisposable
{
    private readonly ZaqarFactory _factory;

    private ServiceNode(ZaqarFactory factory, Uri address)
    {
        _factory = factory;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Starts <paramref name="factory"/> on a free loopback port.</summary>
    public static ServiceNode Start(ZaqarFactory factory)
    {
        var port = LoopbackPort.Free();
        factory.UseKestrel(port);
        factory.StartServer();
        return new ServiceNode(factory, new Uri($"http://127.0.0.1:{port}"));
    }

    /// <summary>A REST client of <paramref name="project"/> on this node.</summary>
    public ZaqarClient Rest(string project) => new(new HttpClient { BaseAddress = Address }, project, Guid.NewGuid().ToString());

    public Task<HubSocket> HubAsync(string project) => HubSocket.ConnectAsync(Address, project, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => _factory.DisposeAsync();

}
