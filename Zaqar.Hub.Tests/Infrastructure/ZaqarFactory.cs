using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>The service under test, on the run's PostgreSQL, with optional setting overrides, clock and extra services.</summary>
public sealed class ZaqarFactory(
    string connectionString, IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null,
    Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Zaqar", connectionString);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // The caller's execution context reaches the service, so an error it logs is charged to the test that caused it.
        builder.UseTestServer(o => o.PreserveExecutionContext = true);
        builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(ServiceErrorLog.Instance));
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
        if (clock is not null)
        {
            builder.ConfigureTestServices(s => s.AddSingleton(clock));
        }
        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }
}
