using Npgsql;

namespace Zaqar.Hub.Tests.Infrastructure.Postgres;

/// <summary>
/// A PostgreSQL server the tests own (issue 12): a Testcontainers container where a Docker engine is reachable, else
/// a throwaway cluster from the installed binaries. Both are non-durable (fsync off) and listen on a fixed loopback
/// port for their whole life, so a connection string stays valid across <see cref="StopAsync"/>, <see cref="KillAsync"/>
/// and <see cref="StartAsync"/>.
/// </summary>
/// <remarks>Not thread-safe for concurrent stop/start; the tests that stop a server own it alone.</remarks>
public abstract class TestPostgres : IAsyncDisposable
{
    /// <summary>What serves this run's databases, chosen once per run (see <see cref="TestPostgresBackend"/>).</summary>
    public static TestPostgresBackend Backend => TestPostgresBackend.Current;

    /// <summary>A human-readable description: which backend, which image or binaries, where.</summary>
    public abstract string Description { get; }

    /// <summary>A connection string to <paramref name="database"/> on this server (pooled).</summary>
    public abstract string ConnectionStringFor(string database);

    /// <summary>Stops the server cleanly (fast shutdown: sessions are ended).</summary>
    public abstract Task StopAsync(CancellationToken ct);

    /// <summary>Kills the server without warning (SIGKILL of the postmaster), as a crash or an OOM kill would.</summary>
    public abstract Task KillAsync(CancellationToken ct);

    /// <summary>Starts the server again after a stop or a kill, on the same port, and waits until it accepts connections.</summary>
    public abstract Task StartAsync(CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Starts a server of the run's backend with an empty database <paramref name="database"/>. Commits are asynchronous
    /// (fast, fine for throwaway data) unless <paramref name="durableCommits"/>: tests that kill the server and count what
    /// it acknowledged need a commit to be in the WAL before it is answered.
    /// </summary>
    public static Task<TestPostgres> StartNewAsync(string database, CancellationToken ct, bool durableCommits = false) =>
        Backend.StartServerAsync(database, durableCommits, ct);

    /// <summary>Creates <paramref name="database"/> on this server unless it exists.</summary>
    public async Task CreateDatabaseAsync(string database, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false }.ConnectionString);
        await conn.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", conn);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", conn);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Waits until the server accepts a connection and answers a query (after a start).</summary>
    protected async Task WaitUntilAcceptingAsync(CancellationToken ct)
    {
        var noPool = new NpgsqlConnectionStringBuilder(ConnectionStringFor("postgres")) { Pooling = false, Timeout = 2 }.ConnectionString;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var conn = new NpgsqlConnection(noPool);
                await conn.OpenAsync(ct);
                await using var ping = new NpgsqlCommand("SELECT 1", conn);
                await ping.ExecuteScalarAsync(ct);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && attempt < 300)
            {
                await Task.Delay(100, ct);
            }
        }
    }
}
