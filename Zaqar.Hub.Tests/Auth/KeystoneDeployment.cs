using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Pools;

namespace Zaqar.Hub.Tests.Auth;

/// <summary>The Keystone tests share one Keystone and one service instance in Keystone mode, so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class KeystoneCollection : ICollectionFixture<KeystoneDeployment>
{
    public const string Name = "Keystone";
}

/// <summary>
/// A real Keystone (<see cref="KeystoneServer"/>) and a pooled service instance authenticating against it (issue 15),
/// pooled so the admin routes (pools) answer. Validations are cached for <see cref="CacheSeconds"/>, so a revoked token
/// is refused soon. Nothing is started when Keystone is not installed: every test skips with <see cref="KeystoneServer.Missing"/>.
/// </summary>
public sealed class KeystoneDeployment(ZaqarTestServer server) : IAsyncLifetime
{
    public const int CacheSeconds = 2;

    /// <summary>
    /// The life of the tests' short-lived tokens: long enough to be used once before it ends, on a machine busy with the
    /// whole suite (Keystone's Python is slow to answer then), short enough to wait for.
    /// </summary>
    public static readonly TimeSpan ShortLife = TimeSpan.FromSeconds(25);

    private KeystoneServer? _keystone;
    private PooledDeployment? _deployment;

    public KeystoneServer Keystone => _keystone ?? throw new InvalidOperationException(KeystoneServer.Missing);

    public ZaqarFactory Factory => _deployment?.Factory ?? throw new InvalidOperationException(KeystoneServer.Missing);

    /// <summary>Skips the calling test when Keystone is not installed.</summary>
    public static void SkipWithoutKeystone() => Assert.SkipWhen(KeystoneServer.Missing is not null, KeystoneServer.Missing ?? "");

    /// <summary>A REST client sending <paramref name="token"/> as X-Auth-Token, naming the project of <paramref name="user"/>.</summary>
    public ZaqarClient Rest(KeystoneUser user, string token)
    {
        var http = Factory.CreateClient();
        http.DefaultRequestHeaders.Add("X-Auth-Token", token);
        return new ZaqarClient(http, user.ProjectId, Guid.NewGuid().ToString());
    }

    /// <summary>The hub's address with a Keystone token in the query string, as a browser passes it.</summary>
    public static string HubPath(string token) => $"/hubs/queues?access_token={Uri.EscapeDataString(token)}&client_id={Guid.NewGuid()}";

    /// <summary>Polls <paramref name="probe"/> until it says yes (a guard against a hang, not a speed check).</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe())
            {
                return true;
            }
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
        return false;
    }

    public async ValueTask InitializeAsync()
    {
        if (KeystoneServer.Missing is not null)
        {
            return;
        }
        _keystone = await KeystoneServer.CreateAsync();
        var settings = _keystone.ServiceSettings(CacheSeconds);
        settings["SignedUrl:SecretKey"] = "keystone-tests";
        _deployment = await PooledDeployment.StartAsync(server, settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (_deployment is not null)
        {
            await _deployment.DisposeAsync();
        }
        if (_keystone is not null)
        {
            await _keystone.DisposeAsync();
        }
    }
}
