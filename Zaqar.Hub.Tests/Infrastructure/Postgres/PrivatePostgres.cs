namespace Zaqar.Hub.Tests.Infrastructure.Postgres;

/// <summary>
/// A class fixture: a PostgreSQL server of the class's own (a container, or an embedded cluster without Docker), for
/// tests that stop, kill or restart their database and must disturb no other test. Its database is <see cref="Database"/>.
/// </summary>
public class PrivatePostgres : IAsyncLifetime
{
    public const string Database = "zaqar";

    private readonly bool _durableCommits;

    public PrivatePostgres()
        : this(durableCommits: false)
    {
    }

    protected PrivatePostgres(bool durableCommits) => _durableCommits = durableCommits;

    public TestPostgres Server { get; private set; } = null!;

    /// <summary>The connection string of <see cref="Database"/>.</summary>
    public string ConnectionString => Server.ConnectionStringFor(Database);

    public async ValueTask InitializeAsync() =>
        Server = await TestPostgres.StartNewAsync(Database, TestContext.Current.CancellationToken, _durableCommits);

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

/// <summary>A <see cref="PrivatePostgres"/> whose commits reach the WAL before they are answered: for kill -9 tests.</summary>
public sealed class DurablePrivatePostgres() : PrivatePostgres(durableCommits: true);
