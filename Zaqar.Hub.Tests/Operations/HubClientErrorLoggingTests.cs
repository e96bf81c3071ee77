using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zaqar.Hub.Tests.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Operations;

/// <summary>
/// Issue 10: a client's mistake on the hub is logged as REST logs it, one debug line and no error: SignalR's dispatcher used
/// to log each one at error level with a stack trace, so a client could flood the log.
/// </summary>
public sealed class HubClientErrorLoggingTests(ZaqarTestServer server)
{
    [Fact]
    public async Task AHubCallAnsweredWithA400WritesOneDebugLineAndNoErrorOrStackTrace()
    {
        var log = new LogCapture();
        await using var factory = server.CreateFactory(
            new Dictionary<string, string?> { ["Logging:LogLevel:Zaqar.Hub.Hubs"] = "Debug" },
            services: s => s.AddSingleton<ILoggerProvider>(log));
        using var rest = new ZaqarClient(factory.CreateClient(), "hublog-" + Guid.NewGuid().ToString("N")[..8], Guid.NewGuid().ToString());
        await using var hub = await factory.ConnectHubAsync(HubWireProtocol.Json, rest);
        var mark = log.Mark();

        var error = await ZaqarErrorAsync(() => hub.InvokeAsync("ListMessages", "orders", new { limit = 100 }));
        // A call after it is answered only once the connection has dealt with the failed one (calls run in order).
        Assert.True(await hub.InvokeAsync<bool>("Ping"));

        Assert.Equal(400, error.Status);
        var entries = log.Since(mark);
        Assert.DoesNotContain(entries, e => e.Level >= LogLevel.Warning);
        Assert.DoesNotContain(entries, e => e.Exception is not null);
        var answered = Assert.Single(entries, e => e.Event.Name == "CallAnswered");
        Assert.Equal(LogLevel.Debug, answered.Level);
        Assert.Equal("Hub call ListMessages answered 400 Invalid API request", answered.Message);
    }
}
