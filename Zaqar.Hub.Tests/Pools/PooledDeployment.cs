using System.Net;
using Npgsql;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.Pools;

/// <summary>
/// A pooled deployment for one test (issue #6): a primary database of its own, so its catalog (pools, flavors, catalogue)
/// is the test's alone, pool databases beside it in the run's cluster, and service instances with pooling on over them.
/// </summary>
public sealed class PooledDeployment : IAsyncDisposable
{
    private readonly ZaqarTestServer _server;
    private readonly Dictionary<string, string?> _settings;
    private readonly List<ZaqarFactory> _factories = [];

    private PooledDeployment(ZaqarTestServer server, string primary, Dictionary<string, string?> settings)
    {
        _server = server;
        Primary = primary;
        _settings = settings;
        Factory = AddNode();
    }

    /// <summary>The primary database's connection string (the catalog).</summary>
    public string Primary { get; }

    /// <summary>The first service instance.</summary>
    public ZaqarFactory Factory { get; }

    /// <summary>Pool name to its database's connection string, for the pools this deployment created.</summary>
    public Dictionary<string, string> Pools { get; } = [];

    /// <summary>
    /// Starts a deployment with pooling on and <paramref name="settings"/> on top; its pools are added with
    /// <see cref="AddPoolAsync"/>.
    /// </summary>
    public static async Task<PooledDeployment> StartAsync(ZaqarTestServer server, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var merged = new Dictionary<string, string?>
        {
            ["Pools:Enabled"] = "true",
            ["Storage:SweepEnabled"] = "false",
            ["Notifications:DispatcherEnabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }
        var primary = await CreateDatabaseAsync(server, "zpri");
        var deployment = new PooledDeployment(server, primary, merged);
        _ = deployment.Factory.Server; // Started here (migrations), not inside a request's timeout.
        return deployment;
    }

    /// <summary>Creates a database in the run's cluster; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(ZaqarTestServer server, string prefix)
    {
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..12];
        var builder = new NpgsqlConnectionStringBuilder(server.Database.ConnectionString) { Database = "postgres", Pooling = false };
        await using (var conn = new NpgsqlConnection(builder.ConnectionString))
        {
            await conn.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", conn);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        builder.Database = name;
        builder.Pooling = true;
        return builder.ConnectionString;
    }

    /// <summary>Another service instance on the same databases, as another node of the deployment (with its own clock, if given).</summary>
    public ZaqarFactory AddNode(IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        var merged = new Dictionary<string, string?>(_settings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }
        var factory = new ZaqarFactory(Primary, merged, clock);
        _factories.Add(factory);
        return factory;
    }

    /// <summary>Creates a pool database and registers it (through the admin route); returns its connection string.</summary>
    public async Task<string> AddPoolAsync(string name, long weight = 100, string? flavor = null)
    {
        var database = await CreateDatabaseAsync(_server, "zpool");
        using var admin = Admin();
        var response = await admin.PutAsync($"/v2/pools/{name}", new { uri = database, weight, flavor });
        Assert.True(response.Status == HttpStatusCode.Created, response.Text);
        Pools[name] = database;
        return database;
    }

    /// <summary>An admin client (X-Roles: admin) of a fresh project on <paramref name="factory"/> (the first node by default).</summary>
    public ZaqarClient Admin(ZaqarFactory? factory = null)
    {
        var client = (factory ?? Factory).NewProject();
        client.Http.DefaultRequestHeaders.Add("X-Roles", "admin");
        return client;
    }

    /// <summary>A client of a fresh project on <paramref name="factory"/> (the first node by default).</summary>
    public ZaqarClient NewProject(ZaqarFactory? factory = null) => (factory ?? Factory).NewProject();

    /// <summary>Runs a scalar query against one database.</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return (T)(await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>How many queue rows of <paramref name="project"/> named <paramref name="queue"/> the database holds.</summary>
    public static Task<long> QueueRowsAsync(string connectionString, string project, string queue) =>
        ScalarAsync<long>(connectionString, "SELECT count(*) FROM queues WHERE project = @p AND name = @n", ("p", project), ("n", queue));

    /// <summary>Which pool the catalogue puts the queue on: its name, "(primary)", or null when it is not registered.</summary>
    public async Task<string?> CatalogueAsync(string project, string queue, short kind = 0)
    {
        await using var conn = new NpgsqlConnection(Primary);
        await conn.OpenAsync(TestContext.Current.CancellationToken);
        await using var cmd = new NpgsqlCommand("SELECT coalesce(pool, '(primary)') FROM catalogue WHERE project = @p AND kind = @k AND name = @n", conn);
        cmd.Parameters.AddWithValue("p", project);
        cmd.Parameters.AddWithValue("k", kind);
        cmd.Parameters.AddWithValue("n", queue);
        return await cmd.ExecuteScalarAsync(TestContext.Current.CancellationToken) as string;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var factory in _factories)
        {
            await factory.DisposeAsync();
        }
    }
}
