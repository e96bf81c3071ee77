using Zaqar.Hub.Hubs;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>
/// The console's TypeScript definitions of the hub (issue 15 item 4) are what the hub is: a method, argument, result,
/// callback or record member added, removed or changed in C# without the definitions fails here (and the console's
/// build type-checks against them, so the console follows).
/// </summary>
public sealed class HubTypeScriptTests
{
    private static string DefinitionsPath => Path.Combine(JsClientTests.RepositoryRoot(), "Zaqar.Hub", "Console", "src", "queues-hub.d.ts");

    [Fact]
    public async Task TheCheckedInHubDefinitionsMatchTheHubClass()
    {
        var generated = HubTypeScript.Generate();
        if (Environment.GetEnvironmentVariable("ZAQAR_WRITE_HUB_TYPES") == "1")
        {
            await File.WriteAllTextAsync(DefinitionsPath, generated, TestContext.Current.CancellationToken);
        }
        var checkedIn = File.Exists(DefinitionsPath) ? await File.ReadAllTextAsync(DefinitionsPath, TestContext.Current.CancellationToken) : "";
        var missing = generated.Split('\n').Except(checkedIn.Split('\n')).ToList();
        var stale = checkedIn.Split('\n').Except(generated.Split('\n')).ToList();
        Assert.True(missing.Count == 0 && stale.Count == 0,
            $"{DefinitionsPath} differs from the hub. Regenerate it with ZAQAR_WRITE_HUB_TYPES=1 (see its first lines).\n" +
            $"Not in the file:\n{string.Join('\n', missing)}\nIn the file, not in the hub:\n{string.Join('\n', stale)}");
    }

    [Fact]
    public void EveryHubMethodAndCallbackIsDefined()
    {
        var generated = HubTypeScript.Generate();
        var methods = typeof(QueuesHub).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not ("OnConnectedAsync" or "OnDisconnectedAsync"))
            .Select(m => m.Name)
            .Concat(typeof(IQueuesClient).GetMethods().Select(m => m.Name));
        Assert.All(methods, name => Assert.Contains($"\n  {name}(", generated, StringComparison.Ordinal));
        Assert.Contains("  StreamStats(options: StatsArgs | null): IStreamResult<StatsSampleView>;", generated, StringComparison.Ordinal);
        Assert.Contains("  Messages(queue: string, messages: PushedMessageView[]): void;", generated, StringComparison.Ordinal);
    }
}
