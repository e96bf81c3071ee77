using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Zaqar.Data;

/// <summary>Schema management: apply migrations, print the idempotent script, check the database answers.</summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class ZaqarDatabase(IDbContextFactory<ZaqarDbContext> contexts, NpgsqlDataSource dataSource)
{
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var context = await contexts.CreateDbContextAsync(ct);
        await context.Database.MigrateAsync(ct);
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

    /// <summary>True when the database answers a trivial query.</summary>
    public async Task<bool> PingAsync(CancellationToken ct = default)
    {
        try
        {
            await using var cmd = dataSource.CreateCommand("SELECT 1");
            await cmd.ExecuteScalarAsync(ct);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }
}
