using Zaqar.Hub.Tests.Infrastructure.Postgres;

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL for the whole test run: the one ZAQAR_TEST_CONNECTION names, or else a server of the run's
/// <see cref="TestPostgresBackend"/> (a Testcontainers container where a Docker engine answers, an embedded cluster
/// otherwise), non-durable, removed at the end. Says at the start which one it uses.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private TestPostgres? _server;

    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>The run's server, when the run started one (null with ZAQAR_TEST_CONNECTION).</summary>
    public TestPostgres? Server => _server;

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("ZAQAR_TEST_CONNECTION");
        if (!string.IsNullOrWhiteSpace(external))
        {
            ConnectionString = external;
            Announce("the server ZAQAR_TEST_CONNECTION names");
            return;
        }
        _server = await TestPostgres.StartNewAsync("zaqar_tests", TestContext.Current.CancellationToken);
        ConnectionString = _server.ConnectionStringFor("zaqar_tests");
        Announce($"{_server.Description} ({TestPostgres.Backend.Why})");
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    // A diagnostic message: the runner prints it (xunit.runner.json turns them on), prefixed with the assembly's name.
    private static void Announce(string what) => TestContext.Current.SendDiagnosticMessage($"PostgreSQL for this run: {what}");
}
