using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Data;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Storage;

public sealed class MigrationTests(ZaqarTestServer server)
{
    [Fact]
    public async Task ModelAndMigrationsAgree()
    {
        var contexts = server.Factory.Services.GetRequiredService<IDbContextFactory<ZaqarDbContext>>();
        await using var context = await contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        Assert.False(context.Database.HasPendingModelChanges(),
            "The EF model has changes no migration captures: run `dotnet run --project tools/Zaqar.Migrations -- add <Name>`.");
    }

    [Fact]
    public async Task EveryMigrationIsAppliedAtStart()
    {
        var contexts = server.Factory.Services.GetRequiredService<IDbContextFactory<ZaqarDbContext>>();
        await using var context = await contexts.CreateDbContextAsync(TestContext.Current.CancellationToken);
        var pending = await context.Database.GetPendingMigrationsAsync(TestContext.Current.CancellationToken);
        Assert.Empty(pending);
        Assert.NotEmpty(context.Database.GetMigrations());
    }

    [Fact]
    public void IdempotentScriptGuardsEveryMigration()
    {
        var script = ZaqarDatabase.IdempotentScript();
        Assert.Contains("CREATE TABLE messages", script, StringComparison.Ordinal);
        var contexts = server.Factory.Services.GetRequiredService<IDbContextFactory<ZaqarDbContext>>();
        using var context = contexts.CreateDbContext();
        foreach (var migration in context.Database.GetMigrations())
        {
            Assert.Contains($"WHERE \"MigrationId\" = '{migration}'", script, StringComparison.Ordinal);
        }
    }
}
