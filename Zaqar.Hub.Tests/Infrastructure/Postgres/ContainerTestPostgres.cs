using System.Security.Cryptography;
using DotNet.Testcontainers.Builders;
using Npgsql;
using Testcontainers.PostgreSql;
using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Tests.Infrastructure.Postgres;

/// <summary>A PostgreSQL container started by Testcontainers.PostgreSql (issue 12).</summary>
public sealed class ContainerTestPostgres : TestPostgres
{
    // As the embedded test cluster: the suite opens many pools at once (several service nodes per test, in parallel).
    private const int MaxConnections = 300;

    private readonly PostgreSqlContainer _container;
    private readonly DockerEngine _engine;
    private readonly string _image;

    private ContainerTestPostgres(PostgreSqlContainer container, DockerEngine engine, string image)
    {
        _container = container;
        _engine = engine;
        _image = image;
    }

    public override string Description => $"a Testcontainers.PostgreSql container of {_image} on {_container.Hostname}:{_container.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort)}";

    internal static async Task<ContainerTestPostgres> StartAsync(DockerEngine engine, string image, string database, bool durableCommits, CancellationToken ct)
    {
        var builder = new PostgreSqlBuilder(image)
            .WithDatabase(database)
            .WithPassword(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)))
            // A host port of our choosing, not Docker's: a restarted container keeps it, and so do connection strings.
            .WithPortBinding(LoopbackPort.Free(), PostgreSqlBuilder.PostgreSqlPort)
            .WithCommand("-c", $"max_connections={MaxConnections}")
            .WithLabel(DockerEngine.RunLabel, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (durableCommits)
        {
            // The builder turns synchronous_commit off; a later -c wins. fsync may stay off: a killed postgres leaves
            // what it wrote in the host's page cache, and only the machine's crash would need fsync.
            builder = builder.WithCommand("-c", "synchronous_commit=on");
        }
        var container = builder.Build();
        var server = new ContainerTestPostgres(container, engine, image);
        try
        {
            await container.StartAsync(ct);
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
        return server;
    }

    public override string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(_container.GetConnectionString()) { Database = database }.ConnectionString;

    public override async Task StopAsync(CancellationToken ct)
    {
        await _container.StopAsync(ct);
        NpgsqlConnection.ClearAllPools();
    }

    public override async Task KillAsync(CancellationToken ct)
    {
        await _engine.KillAsync(_container.Id, ct);
        NpgsqlConnection.ClearAllPools();
    }

    public override async Task StartAsync(CancellationToken ct)
    {
        await _container.StartAsync(ct);
        await WaitUntilAcceptingAsync(ct);
    }

    public override ValueTask DisposeAsync() => _container.DisposeAsync();
}
