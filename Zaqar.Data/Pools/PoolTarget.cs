using Npgsql;

namespace Zaqar.Data.Pools;

/// <summary>
/// A database that holds queues: the primary database (<see cref="Name"/> null) or a registered pool. Its data
/// sources are built on first use, so a pool nobody routes to costs no connection.
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
    private readonly bool _ownsData;
    private volatile bool _disposed;

    /// <summary>The primary database, over the service's own data source (not owned: the container disposes it).</summary>
    public PoolTarget(NpgsqlDataSource primary, string connectionString)
        : this(null, connectionString, primary)
    {
    }

    internal PoolTarget(string? name, string connectionString, NpgsqlDataSource? data)
    {
        Name = name;
        ConnectionString = connectionString;
        Ordinal = name is null ? 0 : Interlocked.Increment(ref _lastOrdinal);
        _ownsData = data is null;
        _data = new(() => data ?? ZaqarDataServiceCollectionExtensions.CreateDataSource(connectionString));
        _listen = new(() => ZaqarDataServiceCollectionExtensions.CreateListenSource(connectionString));
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
    }
}
