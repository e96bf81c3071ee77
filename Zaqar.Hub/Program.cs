using Zaqar.Hub.Hosting;

// First, before anything rents from the shared array pool: the runtime reads its size once (see SharedBufferPool).
SharedBufferPool.Configure();

if (args is ["migrations-script", ..])
{
    // Prints the idempotent SQL of every migration, for operators who apply schema changes themselves.
    Console.Write(Zaqar.Data.ZaqarDatabase.IdempotentScript());
    return;
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    // appsettings.json sits beside the binaries, wherever the service is started from.
    ContentRootPath = AppContext.BaseDirectory,
});
await builder.UseZaqarDatabaseAsync();
builder.Services.AddZaqarHub(builder.Configuration);

var app = builder.Build();
app.MapZaqar();
await app.RunAsync();

/// <summary>The entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
