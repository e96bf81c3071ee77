using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zaqar.Data.Embedded;
using Zaqar.Hub.Hosting;

namespace Zaqar.Bench;

/// <summary>
/// A PostgreSQL (embedded unless given) and the service on a loopback port, in this process; or service nodes running
/// elsewhere (<c>--service</c>, issue 16 item 4), with a PostgreSQL only if given.
/// </summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private EmbeddedPostgres? _postgres;
    private readonly List<WebApplication> _extraNodes = [];
    private WebApplication? _app;
    private IReadOnlyList<Uri> _external = [];
    private int _nextExternal;

    public string ConnectionString { get; private set; } = string.Empty;

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1");

    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("this scenario needs the service in this process (no --service)");

    /// <summary>Driving service nodes that run elsewhere (<c>--service</c>).</summary>
    public bool External => _external.Count > 0;

    /// <summary>How many nodes the fan-out can spread over: the running ones named, or any number started here.</summary>
    public int NodesAvailable => External ? _external.Count : int.MaxValue;

    public static async Task<BenchHost> StartAsync(BenchOptions options)
    {
        var host = new BenchHost();
        if (options.ServiceNodes.Count > 0)
        {
            host._external = options.ServiceNodes;
            host.BaseAddress = options.ServiceNodes[0];
            host.ConnectionString = options.ConnectionString ?? string.Empty;
            return host;
        }
        if (options.ConnectionString is { } external)
        {
            host.ConnectionString = external;
        }
        else
        {
            host._postgres = await EmbeddedPostgres.StartAsync(
                new EmbeddedPostgresOptions { Durable = options.Durable, Database = "zaqar_bench" }, NullLogger.Instance);
            host.ConnectionString = host._postgres.ConnectionString;
        }
        (host._app, host.BaseAddress) = await StartNodeAsync(host.ConnectionString);
        return host;
    }

    /// <summary>
    /// Another service node on the same database, in this process (its own services, LISTEN connection and port),
    /// as a second process would be. Disposed with the host.
    /// </summary>
    public async Task<Uri> AddNodeAsync()
    {
        if (External)
        {
            // The running nodes after the first, in turn.
            return _external.Count > 1 ? _external[1 + (_nextExternal++ % (_external.Count - 1))] : throw new InvalidOperationException(
                "this scenario needs a second service node: name it in --service");
        }
        var (app, address) = await StartNodeAsync(ConnectionString);
        _extraNodes.Add(app);
        return address;
    }

    /// <summary>
    /// A node of its own on <paramref name="connectionString"/>, with <paramref name="settings"/> over the bench's, for a
    /// scenario that needs another configuration (the REST fuzzer). Disposed with the host.
    /// </summary>
    public async Task<(Uri Address, IServiceProvider Services)> AddNodeAsync(string connectionString, IReadOnlyDictionary<string, string?> settings)
    {
        var (app, address) = await StartNodeAsync(connectionString, settings);
        _extraNodes.Add(app);
        return (address, app.Services);
    }

    private static async Task<(WebApplication App, Uri Address)> StartNodeAsync(string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var port = LoopbackPort.Free();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["ConnectionStrings:Zaqar"] = connectionString;
        builder.Configuration["Urls"] = $"http://127.0.0.1:{port}";
        // The bench measures the service, not its abuse limits.
        builder.Configuration["Limits:PermitsPerSecond"] = "0";
        builder.Configuration["Limits:MaxConnectionsPerProject"] = "0";
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // EF logs its probe of the migrations table on a fresh database as a failure; it is not one.
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }
        builder.Services.AddZaqarHub(builder.Configuration);
        var app = builder.Build();
        app.MapZaqar();
        await app.StartAsync();
        return (app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _extraNodes)
        {
            await node.StopAsync();
            await node.DisposeAsync();
        }
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

}
