using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Zaqar.Data.Embedded;

namespace Zaqar.Hub.Tests.Auth;

/// <summary>A Keystone user with a role on one project, and the password it logs in with.</summary>
public sealed record KeystoneUser(string Id, string ProjectId, string Password);

/// <summary>
/// A real Keystone (Debian's package, issue 15) on a loopback port for one test run: a private config (SQLite in WAL
/// mode, Fernet keys), bootstrapped with an admin, then two projects A and B with a member of each and an admin of A,
/// all through Keystone's own v3 API. Served by uwsgi (its HTTP/1.1 socket, which keeps connections alive as a deployment's web server does); <see cref="StopAsync"/> and
/// <see cref="StartAsync"/> take it down and bring it back. Without the packages, <see cref="Missing"/> says why the
/// tests skip.
/// </summary>
public sealed class KeystoneServer : IAsyncDisposable
{
    public const string AdminPassword = "zaqar-keystone-admin";
    private const string ManageTool = "/usr/bin/keystone-manage";
    private const string WsgiApp = "/usr/bin/keystone-wsgi-public";
    private const string Uwsgi = "/usr/bin/uwsgi";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "zaqar-keystone-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly int _port = LoopbackPort.Free();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private Process? _process;

    /// <summary>Why there is no Keystone to test with (null when there is).</summary>
    public static string? Missing =>
        File.Exists(ManageTool) && File.Exists(WsgiApp) && File.Exists(Uwsgi)
            ? null
            : "Keystone is not installed (apt-get install keystone uwsgi uwsgi-plugin-python3; test.sh installs them)";

    /// <summary>http://127.0.0.1:port/v3/</summary>
    public Uri Url => new($"http://127.0.0.1:{_port}/v3/");

    public KeystoneUser MemberOfA { get; private set; } = null!;

    public KeystoneUser AdminOfA { get; private set; } = null!;

    public KeystoneUser MemberOfB { get; private set; } = null!;

    /// <summary>The settings that put a service instance in Keystone mode against this Keystone, its bootstrap admin as service user.</summary>
    public Dictionary<string, string?> ServiceSettings(int cacheSeconds) => new()
    {
        ["Auth:Mode"] = "Keystone",
        ["Auth:Keystone:Url"] = Url.ToString(),
        ["Auth:Keystone:Username"] = "admin",
        ["Auth:Keystone:Password"] = AdminPassword,
        ["Auth:Keystone:Project"] = "admin",
        ["Auth:Keystone:CacheSeconds"] = cacheSeconds.ToString(CultureInfo.InvariantCulture),
        ["Auth:Keystone:TimeoutSeconds"] = "5",
    };

    public static async Task<KeystoneServer> CreateAsync()
    {
        var keystone = new KeystoneServer();
        try
        {
            await keystone.BootstrapAsync();
            await keystone.StartAsync();
            var admin = await keystone.LoginAsync(new Dictionary<string, object> { ["name"] = "admin", ["domain"] = new { name = "Default" }, ["password"] = AdminPassword },
                new { project = new { name = "admin", domain = new { name = "Default" } } });
            var a = await keystone.CreateAsync(admin, "projects", "project", new { name = "zaqar-a", domain_id = "default" });
            var b = await keystone.CreateAsync(admin, "projects", "project", new { name = "zaqar-b", domain_id = "default" });
            keystone.MemberOfA = await keystone.CreateUserAsync(admin, "member-a", a, "member");
            keystone.AdminOfA = await keystone.CreateUserAsync(admin, "admin-a", a, "admin");
            keystone.MemberOfB = await keystone.CreateUserAsync(admin, "member-b", b, "member");
            return keystone;
        }
        catch
        {
            await keystone.DisposeAsync();
            throw;
        }
    }

    /// <summary>A token of <paramref name="user"/> scoped to its project (Keystone's default lifetime).</summary>
    public Task<string> IssueAsync(KeystoneUser user) =>
        LoginAsync(new Dictionary<string, object> { ["id"] = user.Id, ["password"] = user.Password }, new { project = new { id = user.ProjectId } });

    /// <summary>
    /// A token of <paramref name="user"/> that expires after about <paramref name="life"/>: Keystone ends a token
    /// issued for an application credential when the credential expires.
    /// </summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueShortLivedAsync(KeystoneUser user, TimeSpan life)
    {
        var token = await IssueAsync(user);
        var expiresAt = DateTimeOffset.UtcNow.Add(life);
        var credential = await SendAsync(HttpMethod.Post, $"users/{user.Id}/application_credentials", token, new
        {
            application_credential = new { name = "short-" + Guid.NewGuid().ToString("N"), expires_at = expiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) },
        });
        var body = (await credential.Content.ReadFromJsonAsync<JsonObject>())!["application_credential"]!;
        var shortLived = await SendAsync(HttpMethod.Post, "auth/tokens", null, new
        {
            auth = new { identity = new { methods = new[] { "application_credential" }, application_credential = new { id = (string)body["id"]!, secret = (string)body["secret"]! } } },
        });
        var expires = (await shortLived.Content.ReadFromJsonAsync<JsonObject>())!["token"]!["expires_at"]!.GetValue<string>();
        return (shortLived.Headers.GetValues("X-Subject-Token").Single(), DateTimeOffset.Parse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
    }

    /// <summary>Revokes a token (DELETE /v3/auth/tokens, as its owner).</summary>
    public async Task RevokeAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri(Url, "auth/tokens"));
        request.Headers.Add("X-Auth-Token", token);
        request.Headers.Add("X-Subject-Token", token);
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Serves Keystone on its port, and waits until /v3 answers.</summary>
    public async Task StartAsync()
    {
        var psi = new ProcessStartInfo(Uwsgi) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _directory };
        foreach (var argument in new[]
                 {
                     "--plugin", "python3", "--http11-socket", $"127.0.0.1:{_port}", "--wsgi-file", WsgiApp, "--master", "--processes", "2",
                     "--threads", "1", "--need-app", "--die-on-term", "--logto", Path.Combine(_directory, "uwsgi.log"),
                 })
        {
            psi.ArgumentList.Add(argument);
        }
        psi.Environment["OS_KEYSTONE_CONFIG_DIR"] = _directory;
        _process = Process.Start(psi)!;
        // uwsgi logs to its file (--logto); what it writes before that is kept for the failure message.
        var early = new System.Collections.Concurrent.ConcurrentQueue<string>();
        _process.OutputDataReceived += (_, e) => early.Enqueue(e.Data ?? "");
        _process.ErrorDataReceived += (_, e) => early.Enqueue(e.Data ?? "");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var started = Stopwatch.StartNew();
        // A guard against a hang, not a speed check.
        while (started.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (_process.HasExited)
            {
                var log = Path.Combine(_directory, "uwsgi.log");
                Assert.Fail($"uwsgi exited ({_process.ExitCode}): {string.Join('\n', early)}{(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");
            }
            try
            {
                using var response = await _http.GetAsync(Url);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("Keystone did not answer on " + Url);
    }

    /// <summary>Stops serving (SIGTERM, which uwsgi's --die-on-term takes as "exit").</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }
        _process = null;
        if (!process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task BootstrapAsync()
    {
        Directory.CreateDirectory(Path.Combine(_directory, "log"));
        foreach (var keys in new[] { "fernet-keys", "credential-keys" })
        {
            // keystone-manage wants its key directories private (mode 700).
            var path = Path.Combine(_directory, keys);
            _ = OperatingSystem.IsWindows()
                ? Directory.CreateDirectory(path)
                : Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var config = Path.Combine(_directory, "keystone.conf");
        await File.WriteAllTextAsync(config, $"""
            [DEFAULT]
            log_dir = {_directory}/log
            use_stderr = false
            [database]
            connection = sqlite:///{_directory}/keystone.db
            [fernet_tokens]
            key_repository = {_directory}/fernet-keys
            [credential]
            key_repository = {_directory}/credential-keys
            """);
        await RunAsync(ManageTool, "--config-file", config, "db_sync");
        // Without WAL, writes after a login fail with "database is locked" (environment.md).
        await RunAsync("python3", "-c", $"import sqlite3; sqlite3.connect('{_directory}/keystone.db').execute('PRAGMA journal_mode=WAL')");
        var owner = Environment.UserName;
        await RunAsync(ManageTool, "--config-file", config, "fernet_setup", "--keystone-user", owner, "--keystone-group", owner);
        await RunAsync(ManageTool, "--config-file", config, "credential_setup", "--keystone-user", owner, "--keystone-group", owner);
        await RunAsync(ManageTool, "--config-file", config, "bootstrap", "--bootstrap-password", AdminPassword,
            "--bootstrap-admin-url", Url.ToString(), "--bootstrap-public-url", Url.ToString(), "--bootstrap-internal-url", Url.ToString(),
            "--bootstrap-region-id", "RegionOne");
    }

    private static async Task RunAsync(string tool, params string[] arguments)
    {
        var psi = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} {arguments.LastOrDefault()} exited {process.ExitCode}: {await output}{await errors}");
    }

    private async Task<KeystoneUser> CreateUserAsync(string admin, string name, string project, string role)
    {
        var password = Guid.NewGuid().ToString("N");
        var user = await CreateAsync(admin, "users", "user", new { name, domain_id = "default", password });
        using var roles = await SendAsync(HttpMethod.Get, "roles?name=" + role, admin, null);
        var roleId = (string)(await roles.Content.ReadFromJsonAsync<JsonObject>())!["roles"]![0]!["id"]!;
        using var granted = await SendAsync(HttpMethod.Put, $"projects/{project}/users/{user}/roles/{roleId}", admin, null);
        return new KeystoneUser(user, project, password);
    }

    private async Task<string> CreateAsync(string admin, string collection, string kind, object document)
    {
        using var created = await SendAsync(HttpMethod.Post, collection, admin, new Dictionary<string, object> { [kind] = document });
        return (string)(await created.Content.ReadFromJsonAsync<JsonObject>())![kind]!["id"]!;
    }

    private async Task<string> LoginAsync(object user, object scope)
    {
        using var response = await SendAsync(HttpMethod.Post, "auth/tokens", null, new
        {
            auth = new { identity = new { methods = new[] { "password" }, password = new { user } }, scope },
        });
        return response.Headers.GetValues("X-Subject-Token").Single();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, object? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(Url, path));
        if (token is not null)
        {
            request.Headers.Add("X-Auth-Token", token);
        }
        if (body is not null)
        {
            // With a length: uwsgi's HTTP socket does not read chunked bodies.
            request.Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
        }
        var response = await _http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"Keystone {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }
}
