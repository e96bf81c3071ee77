using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// A class fixture of two service instances on the run's database, both as configured by default (each test stays
/// apart by using projects of its own). Classes that need nodes configured otherwise keep a fixture of their own.
/// </summary>
public sealed class DefaultNodePair(ZaqarTestServer server) : IAsyncLifetime
{
    public ServiceNode A { get; private set; } = null!;

    public ServiceNode B { get; private set; } = null!;

    public ValueTask InitializeAsync()
    {
        A = ServiceNode.Start(server.CreateFactory());
        B = ServiceNode.Start(server.CreateFactory());
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in new[] { A, B })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
    }
}
