using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Zaqar.Data.Stores;

namespace Zaqar.Data;

public static class ZaqarDataServiceCollectionExtensions
{
    /// <summary>
    /// Registers the queue store on the PostgreSQL database <paramref name="connectionString"/> names: one
    /// <see cref="NpgsqlDataSource"/> (pooled connections, auto-prepared statements), the EF Core context
    /// factory over it, and the stores.
    /// </summary>
    public static IServiceCollection AddZaqarData(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => CreateDataSource(connectionString));
        services.AddPooledDbContextFactory<ZaqarDbContext>((sp, options) =>
            ConfigureContext(options, sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<QueueStore>();
        services.AddSingleton<MessageStore>();
        services.AddSingleton<ClaimStore>();
        services.AddSingleton<ExpiryStore>();
        services.AddSingleton(sp => new Cluster.ClusterStore(sp.GetRequiredService<NpgsqlDataSource>(), connectionString));
        services.AddOptions<OutboxOptions>();
        services.AddSingleton<SubscriptionStore>();
        services.AddSingleton<NotificationStore>();
        services.AddSingleton<ZaqarDatabase>();
        return services;
    }

    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // The hot statements are few and fixed: let Npgsql prepare them after their second use.
        if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }
        builder.ConnectionStringBuilder.ApplicationName ??= "zaqarhub";
        return builder.Build();
    }

    public static DbContextOptionsBuilder ConfigureContext(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"));
}
