using Microsoft.Extensions.Logging.Abstractions;
using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Tests.Infrastructure.Postgres;

/// <summary>The fallback without a Docker engine: a throwaway cluster from the installed PostgreSQL binaries.</summary>
public sealed class EmbeddedTestPostgres : TestPostgres
{
    private readonly EmbeddedPostgres _server;

    private EmbeddedTestPostgres(EmbeddedPostgres server) => _server = server;

    public override string Description => $"an embedded cluster from the installed binaries on 127.0.0.1:{_server.Port}";

    public static async Task<EmbeddedTestPostgres> StartAsync(string database, bool durableCommits, CancellationToken ct) =>
        new(await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { Durable = durableCommits, Database = database }, NullLogger.Instance, ct));

    public override string ConnectionStringFor(string database) => _server.ConnectionStringFor(database);

    public override Task StopAsync(CancellationToken ct) => _server.StopAsync(ct);

    public override Task KillAsync(CancellationToken ct) => _server.KillAsync(ct);

    public override async Task StartAsync(CancellationToken ct)
    {
        await _server.RestartAsync(ct);
        await WaitUntilAcceptingAsync(ct);
    }

    public override ValueTask DisposeAsync() => _server.DisposeAsync();
}
