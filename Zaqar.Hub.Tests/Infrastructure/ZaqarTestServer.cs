using Microsoft.Extensions.DependencyInjection;

[assembly: AssemblyFixture(typeof(Zaqar.Hub.Tests.Infrastructure.ZaqarTestServer))]

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>
/// The run-wide fixture: one PostgreSQL and one service instance on it. Tests share it and stay apart by
/// using a project id of their own (<see cref="NewProject"/>), so they can run in parallel.
/// </summary>
public sealed class ZaqarTestServer : IAsyncLifetime
{
    private readonly Lazy<KestrelService> _kestrel;
    private ZaqarFactory? _factory;

    public ZaqarTestServer()
    {
        _kestrel = new(() => KestrelService.Start(this), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public TestDatabase Database { get; } = new();

    public ZaqarFactory Factory => _factory ?? throw new InvalidOperationException("Not initialized.");

    public async ValueTask InitializeAsync()
    {
        await Database.InitializeAsync();
        // The shared instance never sweeps: tests with a manual clock sweep explicitly in hosts of their own. Nor does it
        // deliver notifications: dispatchers share the database's outbox, so delivery tests run theirs one at a time.
        _factory = new ZaqarFactory(Database.ConnectionString, new Dictionary<string, string?>
        {
            ["Storage:SweepEnabled"] = "false",
            ["Notifications:DispatcherEnabled"] = "false",
        });
        _ = _factory.Server; // Start now (runs migrations), not inside the first test's timeout.
    }

    /// <summary>A client of a fresh project, with a fresh Client-ID.</summary>
    public ZaqarClient NewProject(string? clientId = null) =>
        new(Factory.CreateClient(), "p-" + Guid.NewGuid().ToString("N")[..12], clientId ?? Guid.NewGuid().ToString());

    /// <summary>A service instance on a real loopback port, shared by the run (started by the first test that asks).</summary>
    public KestrelService Kestrel => _kestrel.Value;

    /// <summary>
    /// Another service instance on the same database, with its own settings, clock and extra services. Its notification
    /// dispatcher is off unless the settings turn it on (see Subscriptions/DeliveryCollection).
    /// </summary>
    public ZaqarFactory CreateFactory(
        IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null, Action<IServiceCollection>? services = null)
    {
        var merged = new Dictionary<string, string?> { ["Storage:SweepEnabled"] = "false", ["Notifications:DispatcherEnabled"] = "false" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }
        return new ZaqarFactory(Database.ConnectionString, merged, clock, services);
    }

    public async ValueTask DisposeAsync()
    {
        if (_kestrel.IsValueCreated)
        {
            await _kestrel.Value.DisposeAsync();
        }
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
        await Database.DisposeAsync();
    }
}
