using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Data;

// Scaffolds a migration from the current model with EF Core's own generator (model snapshot included).
// No database is touched: the model and the last snapshot are compared.
if (args is not ["add", var name])
{
    Console.Error.WriteLine("usage: dotnet run --project tools/Zaqar.Migrations -- add <MigrationName>");
    return 2;
}

var repoRoot = FindRepoRoot();
var options = new DbContextOptionsBuilder<ZaqarDbContext>();
ZaqarDataServiceCollectionExtensions.ConfigureContext(options, ZaqarDataServiceCollectionExtensions.CreateDataSource("Host=127.0.0.1;Database=design"));
await using var context = new ZaqarDbContext(options.Options);

var services = new ServiceCollection();
services.AddEntityFrameworkDesignTimeServices();
services.AddDbContextDesignTimeServices(context);
#pragma warning disable EF1001 // The provider's design-time services are the documented way to scaffold for it.
new Npgsql.EntityFrameworkCore.PostgreSQL.Design.Internal.NpgsqlDesignTimeServices().ConfigureDesignTimeServices(services);
#pragma warning restore EF1001
await using var provider = services.BuildServiceProvider();

var scaffolder = provider.GetRequiredService<IMigrationsScaffolder>();
var migration = scaffolder.ScaffoldMigration(name, rootNamespace: "Zaqar.Data", subNamespace: "Migrations", language: "C#");
var migrationsDir = Path.Combine(repoRoot, "migrations");
var files = scaffolder.Save(Path.Combine(repoRoot, "Zaqar.Data"), migration, migrationsDir);
// EF writes the snapshot beside the project unless it finds the old one there; keep it with the migrations.
var snapshot = Path.Combine(migrationsDir, Path.GetFileName(files.SnapshotFile!));
if (files.SnapshotFile != snapshot)
{
    File.Move(files.SnapshotFile!, snapshot, overwrite: true);
    var emptied = Path.GetDirectoryName(files.SnapshotFile)!;
    if (!Directory.EnumerateFileSystemEntries(emptied).Any())
    {
        Directory.Delete(emptied);
    }
}
Console.WriteLine($"wrote {files.MigrationFile}");
Console.WriteLine($"wrote {files.MetadataFile}");
Console.WriteLine($"wrote {snapshot}");
return 0;

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "ZaqarHub.sln")))
        {
            return dir.FullName;
        }
    }
    throw new InvalidOperationException("ZaqarHub.sln not found above " + AppContext.BaseDirectory);
}
