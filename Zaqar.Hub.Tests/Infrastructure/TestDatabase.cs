using Microsoft.Extensions.Logging.Abstractions;
using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL for the whole test run: the one ZAQAR_TEST_CONNECTION names, or else a throwaway
/// embedded cluster in a temp directory (not durable: fsync off), stopped and deleted at the end.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private EmbeddedPostgres? _embedded;

    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>The embedded server, when the run started one (null with ZAQAR_TEST_CONNECTION).</summary>
    public EmbeddedPostgres? Embedded => _embedded;

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("ZAQAR_TEST_CONNECTION");
        if (!string.IsNullOrWhiteSpace(external))
        {
            ConnectionString = external;
            return;
        }
        _embedded = await EmbeddedPostgres.StartAsync(
            new EmbeddedPostgresOptions { Durable = false, Database = "zaqar_tests" }, NullLogger.Instance);
        ConnectionString = _embedded.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }
}
