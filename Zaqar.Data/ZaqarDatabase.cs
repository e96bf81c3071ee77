using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Zaqar.Data.Pools;

namespace Zaqar.Data;

/// <summary>What became of a database about to be registered as a pool (issue #6).</summary>
public enum PoolPreparation
{
    Ready,
    CannotConnect,
    MigrationFailed,
}

/// <summary>
/// Schema management: apply migrations (to the primary database and to every pool), print the idempotent script, check
/// a database answers.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class ZaqarDatabase(IDbContextFactory<ZaqarDbContext> contexts, NpgsqlDataSource dataSource)
{
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var context = await contexts.CreateDbContextAsync(ct);
        await context.Database.MigrateAsync(ct);
    }

    /// <summary>Applies pending migrations to <paramref name="target"/>: every pool has the primary database's schema.</summary>
    public Task MigrateAsync(PoolTarget target, CancellationToken ct = default) =>
        target.IsPrimary ? MigrateAsync(ct) : MigrateAsync(target.ConnectionString, ct);

    /// <summary>
    /// Connects to the database <paramref name="connectionString"/> names, waiting at most <paramref name="timeout"/>, and
    /// with <paramref name="migrate"/> brings its schema up to date: what registering a pool needs.
    /// </summary>
    public static async Task<(PoolPreparation Outcome, Exception? Error)> PrepareAsync(
        string connectionString, bool migrate, TimeSpan timeout, CancellationToken ct = default)
    {
        string probe;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString)
            {
                Pooling = false,
                Timeout = Math.Max(1, (int)timeout.TotalSeconds),
            };
            probe = builder.ConnectionString;
            await using var conn = new NpgsqlConnection(probe);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            await conn.OpenAsync(cts.Token);
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return (PoolPreparation.CannotConnect, ex);
        }
        if (!migrate)
        {
            return (PoolPreparation.Ready, null);
        }
        try
        {
            await MigrateAsync(probe, ct);
            return (PoolPreparation.Ready, null);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            return (PoolPreparation.MigrationFailed, ex);
        }
    }

    /// <summary>
    /// The SQL script of every migration, safe to run against a database at any migration. Needs no database:
    /// the model and the migrations are compiled in.
    /// </summary>
    public static string IdempotentScript()
    {
        var options = new DbContextOptionsBuilder<ZaqarDbContext>();
        using var dataSource = ZaqarDataServiceCollectionExtensions.CreateDataSource("Host=127.0.0.1;Database=zaqar");
        ZaqarDataServiceCollectionExtensions.ConfigureContext(options, dataSource);
        using var context = new ZaqarDbContext(options.Options);
        return context.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
    }

    /// <summary>True when the primary database answers a trivial query.</summary>
    public Task<bool> PingAsync(CancellationToken ct = default) => PingAsync(dataSource, ct);

    /// <summary>True when <paramref name="target"/> answers a trivial query.</summary>
    public static async Task<bool> PingAsync(PoolTarget target, CancellationToken ct = default)
    {
        try
        {
            return await PingAsync(target.DataSource, ct);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    private static async Task<bool> PingAsync(NpgsqlDataSource source, CancellationToken ct)
    {
        try
        {
            await using var cmd = source.CreateCommand("SELECT 1");
            await cmd.ExecuteScalarAsync(ct);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    // A pool's context is built on its connection string, not a data source of its own: EF keeps one internal service
    // provider per data source for the life of the process, but shares one across connection strings.
    private static async Task MigrateAsync(string connectionString, CancellationToken ct)
    {
        // Unpooled: migrating is rare, and pooled connections would linger outside the pool's own data source.
        connectionString = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        var options = new DbContextOptionsBuilder<ZaqarDbContext>();
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable(ZaqarDataServiceCollectionExtensions.MigrationsHistoryTable));
        await using var context = new ZaqarDbContext(options.Options);
        await context.Database.MigrateAsync(ct);
    }
}
