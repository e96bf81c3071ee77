using System.Reflection;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit.Sdk;
using Xunit.v3;
using Zaqar.Client;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>Runs a theory once per protocol of the typed client: the same suite under JSON and MessagePack (issue 11).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BothClientProtocolsAttribute : DataAttribute
{
    public override ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker) =>
        new([new TheoryDataRow<ZaqarProtocol>(ZaqarProtocol.Json), new TheoryDataRow<ZaqarProtocol>(ZaqarProtocol.MessagePack)]);

    public override bool SupportsDiscoveryEnumeration() => true;
}

/// <summary>Connects <see cref="ZaqarHubClient"/> to a test service in memory (negotiate through the TestServer, WebSockets through its client).</summary>
internal static class TypedClientKit
{
    /// <summary>A connected typed client as <paramref name="rest"/>'s project and Client-ID.</summary>
    public static Task<ZaqarHubClient> ConnectTypedAsync(
        this WebApplicationFactory<Program> factory, ZaqarProtocol protocol, ZaqarClient rest, Action<ZaqarHubClientOptions>? configure = null)
    {
        var server = factory.Server;
        var options = new ZaqarHubClientOptions
        {
            Url = server.BaseAddress,
            ProjectId = rest.Project,
            ClientId = Guid.Parse(rest.ClientId),
            Protocol = protocol,
            ReconnectDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)],
            ConfigureHttp = http => HubTestKit.InMemory(http, server),
        };
        configure?.Invoke(options);
        return ZaqarHubClient.ConnectAsync(options, TestContext.Current.CancellationToken);
    }

    /// <summary>A connected typed client over real sockets (loopback) to the service at <paramref name="url"/>.</summary>
    public static Task<ZaqarHubClient> ConnectTypedAsync(Uri url, ZaqarProtocol protocol, ZaqarClient rest) =>
        ZaqarHubClient.ConnectAsync(
            new ZaqarHubClientOptions
            {
                Url = url,
                ProjectId = rest.Project,
                ClientId = Guid.Parse(rest.ClientId),
                Protocol = protocol,
                ReconnectDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)],
            },
            TestContext.Current.CancellationToken);

    /// <summary>Runs a call that must fail, and returns its <see cref="ZaqarException"/>.</summary>
    public static async Task<ZaqarException> FailsAsync(Func<Task> call) => await Assert.ThrowsAsync<ZaqarException>(call);
}
