using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Zaqar.Data.Pools;
using Zaqar.Data.Stores;

namespace Zaqar.Data;

public static class ZaqarDataServiceCollectionExtensions
{
    /// <summary>
    /// Registers the queue store on the PostgreSQL database <paramref name="connectionString"/> names (the primary
    /// database): one <see cref="NpgsqlDataSource"/> (pooled connections), the EF Core context
    /// factory over it, the stores, and the routing that sends each queue to its database: the primary one, or with
    /// <see cref="PoolingOptions.Enabled"/> the pool the catalogue names (issue #6). The host binds the options.
    /// </summary>
    public static IServiceCollection AddZaqarData(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => CreateDataSource(connectionString));
        services.AddPooledDbContextFactory<ZaqarDbContext>((sp, options) =>
            ConfigureContext(options, sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddOptions<PoolingOptions>();
        services.AddSingleton<PoolStore>();
        services.AddSingleton<CatalogueStore>();
        services.AddSingleton(sp => new PoolRegistry(
            new PoolTarget(
                sp.GetRequiredService<NpgsqlDataSource>(), connectionString, sp.GetRequiredService<IDbContextFactory<ZaqarDbContext>>(),
                sp.GetRequiredService<DbContextOptions<ZaqarDbContext>>()),
            sp.GetRequiredService<PoolStore>(),
            sp.GetRequiredService<ILogger<PoolRegistry>>()));
        services.AddSingleton<QueueRouter>(sp => sp.GetRequiredService<IOptions<PoolingOptions>>().Value.Enabled
            ? ActivatorUtilities.CreateInstance<PooledQueueRouter>(sp)
            : new SingleDatabaseRouter(sp.GetRequiredService<PoolRegistry>().Primary));
        services.AddSingleton<QueueStore>();
        services.AddSingleton<MessageStore>();
        services.AddSingleton<ClaimStore>();
        services.AddSingleton<ExpiryStore>();
        services.AddSingleton<Cluster.ClusterStore>(sp => new Cluster.ClusterStore(sp.GetRequiredService<QueueRouter>()));
        services.AddOptions<OutboxOptions>();
        services.AddSingleton<SubscriptionStore>();
        services.AddSingleton<NotificationStore>();
        services.AddSingleton<Presence.PresenceStore>();
        services.AddSingleton<ZaqarDatabase>();
        return services;
    }

    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // No automatic preparation, even if the connection string asks for it (issue 10, found by the REST fuzzer): when
        // PostgreSQL refuses a parameter value while binding it (a NUL in text, an escape jsonb can't hold) on the execution
        // that prepares a statement, Npgsql (10.0.3 still) leaves the connection out of step with the server, and the next
        // command on that pooled connection fails, whoever sent it: one tenant's bad input became another's 500.
        builder.ConnectionStringBuilder.MaxAutoPrepare = 0;
        // The hot statements are prepared explicitly instead (PreparedCommand, issue 14), and run with generic plans: a
        // custom plan would plan each call again, which is what preparing them saves. Only prepared statements are affected.
        builder.ConnectionStringBuilder.Options = (builder.ConnectionStringBuilder.Options + " -c plan_cache_mode=force_generic_plan").Trim();
        builder.ConnectionStringBuilder.ApplicationName ??= "zaqarhub";
        // A connection handed back to the pool is not reset (issue 14): Npgsql's reset is six statements (SET SESSION
        // AUTHORIZATION DEFAULT, RESET ALL, CLOSE ALL, UNLISTEN *, pg_advisory_unlock_all(), DISCARD SEQUENCES/TEMP)
        // parsed and run by PostgreSQL before the next command, on every checkout: a few per cent of its CPU in the claim
        // scenario. Nothing here leaves session state behind: settings are transaction-local (set_config(..., true)),
        // LISTEN runs on unpooled connections (CreateListenSource), there are no cursors, advisory locks or temporary
        // tables, and Npgsql still rolls back a transaction left open.
        builder.ConnectionStringBuilder.NoResetOnClose = true;
        TraceOnlyWithinOperations(builder);
        return builder.Build();
    }

    /// <summary>
    /// Unpooled connections for LISTEN: a pooled connection is reset (UNLISTEN) when returned and may be handed to anyone.
    /// </summary>
    public static NpgsqlDataSource CreateListenSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.Pooling = false;
        // Npgsql's own keepalive would run queries from a timer; the listener checks the connection itself instead.
        builder.ConnectionStringBuilder.KeepAlive = 0;
        // Tells operators (and pg_stat_activity) which session is a node's listener.
        builder.ConnectionStringBuilder.ApplicationName = (builder.ConnectionStringBuilder.ApplicationName ?? "zaqarhub") + "-listen";
        TraceOnlyWithinOperations(builder);
        return builder.Build();
    }

    /// <summary>
    /// Issue 15: a statement is traced (when a tracer listens to Npgsql) only inside a traced operation: a request, a hub
    /// invocation, a cross-node relay. The background loops' polls, sweeps, samples and keepalives would otherwise each
    /// be a trace of its own, every few seconds.
    /// </summary>
    private static void TraceOnlyWithinOperations(NpgsqlDataSourceBuilder builder) =>
        builder.ConfigureTracing(t => t
            .ConfigureCommandFilter(static _ => Activity.Current is not null)
            .ConfigureBatchFilter(static _ => Activity.Current is not null));

    public const string MigrationsHistoryTable = "__ef_migrations_history";

    public static DbContextOptionsBuilder ConfigureContext(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable(MigrationsHistoryTable))
            // A failed statement reaches the caller, whose storage guard logs it by the outage policy (issue 10: one line a
            // request, one stack trace an outage); EF Core's own error events would log each again, stack trace and all.
            .ConfigureWarnings(w => w.Log(
                (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug),
                (RelationalEventId.ConnectionError, LogLevel.Debug),
                (RelationalEventId.TransactionError, LogLevel.Debug)));
}
