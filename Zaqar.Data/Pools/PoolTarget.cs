using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace Zaqar.Data.Pools;

/// <summary>
/// A database that holds queues: the primary database (<see cref="Name"/> null) or a registered pool. Its data
/// sources and its EF Core contexts are built on first use, so a pool nobody routes to costs no connection.
/// </summary>
/// <remarks>
/// Thread-safe. Compare by reference: a pool whose uri changes gets a new target, and the old one is disposed, which
/// ends the operations still using it with <see cref="ObjectDisposedException"/> (a storage failure: 503).
/// </remarks>
public sealed class PoolTarget : IAsyncDisposable
{
    /// <summary>How logs and health name the primary database.</summary>
    public const string PrimaryLabel = "(primary)";

    private static long _lastOrdinal;

    private readonly Lazy<NpgsqlDataSource> _data;
    private readonly Lazy<NpgsqlDataSource> _listen;
    private readonly Lazy<IDbContextFactory<ZaqarDbContext>> _contexts;
    private readonly bool _ownsData;
    private volatile bool _disposed;

    /// <summary>
    /// The primary database, over the service's own data source (not owned: the container disposes it). With
    /// <paramref name="contexts"/> (the service's context factory over that data source) and the options it was built with,
    /// the primary database's contexts are the service's, and every pool's contexts share their model (see <see cref="Contexts"/>).
    /// </summary>
    public PoolTarget(
        NpgsqlDataSource primary, string connectionString, IDbContextFactory<ZaqarDbContext>? contexts = null,
        DbContextOptions<ZaqarDbContext>? contextOptions = null)
        : this(null, connectionString, primary, contexts, contextOptions)
    {
    }

    internal PoolTarget(
        string? name, string connectionString, NpgsqlDataSource? data, IDbContextFactory<ZaqarDbContext>? contexts,
        DbContextOptions<ZaqarDbContext>? contextOptions)
    {
        Name = name;
        ConnectionString = connectionString;
        Ordinal = name is null ? 0 : Interlocked.Increment(ref _lastOrdinal);
        ContextOptions = contextOptions;
        _ownsData = data is null;
        _data = new(() => data ?? ZaqarDataServiceCollectionExtensions.CreateDataSource(connectionString));
        _listen = new(() => ZaqarDataServiceCollectionExtensions.CreateListenSource(connectionString));
        _contexts = new(() => contexts ?? CreateContexts(contextOptions, DataSource));
    }

    /// <summary>The pool's name; null for the primary database.</summary>
    public string? Name { get; }

    public bool IsPrimary => Name is null;

    /// <summary>The pool's name, or <see cref="PrimaryLabel"/>; for logs.</summary>
    public string Label => Name ?? PrimaryLabel;

    public string ConnectionString { get; }

    /// <summary>
    /// Tells this target apart from every other in the process: 0 for the primary database, a new number for each pool
    /// target (a pool pointed at another database gets a new one). Row ids are per database; this makes them global.
    /// </summary>
    public long Ordinal { get; }

    /// <summary>Pooled connections for the queue statements.</summary>
    public NpgsqlDataSource DataSource => _disposed ? throw new ObjectDisposedException(Label) : _data.Value;

    /// <summary>Unpooled connections for LISTEN, which must outlive any request and never be reset by a pool.</summary>
    public NpgsqlDataSource ListenSource => _disposed ? throw new ObjectDisposedException(Label) : _listen.Value;

    /// <summary>
    /// EF Core contexts over <see cref="DataSource"/> (issue 12 item 11): the cold paths' LINQ and the hand-written
    /// statements share one connection pool, and a store given a route gets contexts on the queue's own database. A pool's
    /// contexts are the service's options with the pool's data source: one EF Core model for all, which compiled queries
    /// need (a query compiled against one model refuses a context of another).
    /// </summary>
    public IDbContextFactory<ZaqarDbContext> Contexts => _disposed ? throw new ObjectDisposedException(Label) : _contexts.Value;

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        if (_ownsData && _data.IsValueCreated)
        {
            await _data.Value.DisposeAsync();
        }
        if (_listen.IsValueCreated)
        {
            await _listen.Value.DisposeAsync();
        }
        // The context pool needs no disposal: a pooled context holds no connection between operations, and one still in use
        // fails on the disposed data source, as a hand-written statement does.
    }

    /// <summary>The options this target's contexts derive from (a pool's take the primary database's); null outside the service.</summary>
    internal DbContextOptions<ZaqarDbContext>? ContextOptions { get; }

    private static PooledDbContextFactory<ZaqarDbContext> CreateContexts(DbContextOptions<ZaqarDbContext>? template, NpgsqlDataSource dataSource)
    {
        var options = template is null ? new DbContextOptionsBuilder<ZaqarDbContext>() : new DbContextOptionsBuilder<ZaqarDbContext>(template);
        ZaqarDataServiceCollectionExtensions.ConfigureContext(options, dataSource);
        return new PooledDbContextFactory<ZaqarDbContext>(options.Options);
    }
}
