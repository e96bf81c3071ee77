using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Security;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Zaqar.Hub.Tests.Isolation;

/// <summary>The isolation tests share one <see cref="IsolationWorld"/>, so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class IsolationCollection : ICollectionFixture<IsolationWorld>
{
    public const string Name = "Tenant isolation";
}

/// <summary>
/// The service instances the isolation matrix (issue #6) runs on, each with its project B: one in no-auth
/// mode (the project is whatever X-Project-ID says) and one in JWT mode (the project is the token's); both sign URLs.
/// B's state is read back after every case, so cases never change it or the case fails; A is a fresh project per case.
/// </summary>
public sealed class IsolationWorld(ZaqarTestServer server) : IAsyncLifetime
{
    public const string SignedUrlKey = "isolation-secret";

    public ZaqarTestServer Server => server;

    /// <summary>No-auth mode, admin mode on, a signed-URL secret; notification delivery off (as on the shared server).</summary>
    public ZaqarFactory NoAuth { get; private set; } = null!;

    /// <summary>JWT mode (<see cref="Tokens"/>), with the same signed-URL secret as the test tokens' settings.</summary>
    public ZaqarFactory Jwt { get; private set; } = null!;

    internal TenantB NoAuthB { get; private set; } = null!;

    internal TenantB JwtB { get; private set; } = null!;

    /// <summary>
    /// B's hub connection on <see cref="NoAuth"/>: subscribed to the shared queue and topic, and the subscriber of a
    /// hub-connection subscription of the shared queue (<see cref="TenantB.HubSubscriptionId"/>).
    /// </summary>
    internal HubClient? NoAuthBHub { get; private set; }

    private readonly Dictionary<TenantB, (string Stored, string View)> _baselines = [];

    /// <summary>What was pushed to B's hub connection: must stay empty, since only A posts while B is watched.</summary>
    private readonly List<string> _pushedToB = [];

    public async ValueTask InitializeAsync()
    {
        NoAuth = server.CreateFactory(new Dictionary<string, string?> { ["SignedUrl:SecretKey"] = SignedUrlKey });
        Jwt = server.CreateFactory(Tokens.JwtSettings());
        await RenewNoAuthBAsync();
        await RenewJwtBAsync();
    }

    /// <summary>
    /// Asserts that B's stored state, and (with <paramref name="view"/>) B's own view of it, are what they were when B
    /// was built. The stored state is exact, so the view (a dozen requests) is read back only in some rows. A B found
    /// changed is replaced by a fresh one before the assertion fails, so the failure stays with the case that caused it.
    /// </summary>
    internal async Task AssertUnchangedAsync(TenantB b, string after, bool view = true)
    {
        var (stored, baseline) = _baselines[b];
        var storedNow = await b.StoredAsync(server.Database.ConnectionString);
        var viewNow = view && storedNow == stored ? await b.ViewAsync() : baseline;
        string[] pushed = [];
        if (b == NoAuthB)
        {
            lock (_pushedToB)
            {
                pushed = [.. _pushedToB];
            }
        }
        if (storedNow == stored && viewNow == baseline && pushed.Length == 0)
        {
            return;
        }
        await (b == NoAuthB ? RenewNoAuthBAsync() : RenewJwtBAsync());
        Assert.True(stored == storedNow, $"B's stored state changed after {after}:\nbefore {stored}\nafter  {storedNow}");
        Assert.True(baseline == viewNow, $"B's own view changed after {after}:\nbefore {baseline}\nafter  {viewNow}");
        Assert.Fail($"B's hub connection was pushed A's messages by {after} (or a case before it):\n{string.Join("\n", pushed)}");
    }

    private async Task RenewNoAuthBAsync()
    {
        if (NoAuthBHub is not null)
        {
            await NoAuthBHub.DisposeAsync();
        }
        var b = await TenantB.CreateAsync(NoAuth.NewProjectClient("b-"));
        lock (_pushedToB)
        {
            _pushedToB.Clear();
        }
        NoAuthBHub = await NoAuth.ConnectHubAsync(HubWireProtocol.Json, b.Client);
        foreach (var target in new[] { "Messages", "TopicMessages" })
        {
            NoAuthBHub.On<string, JsonNode>(target, (name, messages) =>
            {
                lock (_pushedToB)
                {
                    _pushedToB.Add($"{target}({name}): {messages.ToJsonString()}");
                }
            });
        }
        await NoAuthBHub.InvokeAsync("Subscribe", TenantB.Shared);
        await NoAuthBHub.InvokeAsync("SubscribeTopic", TenantB.Shared);
        var created = await NoAuthBHub.InvokeAsync<JsonNode>("CreateSubscription", TenantB.Shared, new { ttl = 3600 });
        b.HubSubscriptionId = created["subscription_id"]!.GetValue<string>();
        _baselines[b] = (await b.StoredAsync(server.Database.ConnectionString), await b.ViewAsync());
        NoAuthB = b;
    }

    private async Task RenewJwtBAsync()
    {
        var client = Jwt.NewProjectClient("b-");
        client.Http.DefaultRequestHeaders.Authorization = new("Bearer", Tokens.Issue(client.Project));
        var b = await TenantB.CreateAsync(client);
        _baselines[b] = (await b.StoredAsync(server.Database.ConnectionString), await b.ViewAsync());
        JwtB = b;
    }

    public async ValueTask DisposeAsync()
    {
        if (NoAuthBHub is not null)
        {
            await NoAuthBHub.DisposeAsync();
        }
        foreach (var factory in new[] { NoAuth, Jwt })
        {
            if (factory is not null)
            {
                await factory.DisposeAsync();
            }
        }
    }
}

internal static class IsolationFactoryExtensions
{
    /// <summary>A client of a fresh project (its id starting with <paramref name="prefix"/>) on <paramref name="factory"/>.</summary>
    public static ZaqarClient NewProjectClient(this ZaqarFactory factory, string prefix) =>
        new(factory.CreateClient(), prefix + Guid.NewGuid().ToString("N")[..12], Guid.NewGuid().ToString());
}
