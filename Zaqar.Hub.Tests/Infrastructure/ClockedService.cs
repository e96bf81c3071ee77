namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>
/// A service instance of its own with a <see cref="ManualClock"/>, on the run's database. Time moves only
/// when the test says, so TTL, delay, grace and claim expiry are tested without sleeping. Its projects are
/// fresh, so moving its clock changes nothing other tests see.
/// </summary>
public sealed class ClockedService : IAsyncDisposable
{
    private readonly ZaqarFactory _factory;

    public ClockedService(ZaqarTestServer server, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _factory = server.CreateFactory(settings, Clock);
    }

    public ManualClock Clock { get; } = new();

    public ZaqarFactory Factory => _factory;

    public ZaqarClient NewProject() =>
        new(_factory.CreateClient(), "clock-" + Guid.NewGuid().ToString("N")[..12], Guid.NewGuid().ToString());

    public void Advance(int seconds) => Clock.Advance(TimeSpan.FromSeconds(seconds));

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}
