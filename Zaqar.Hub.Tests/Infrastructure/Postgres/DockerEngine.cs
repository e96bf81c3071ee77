using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Zaqar.Hub.Tests.Infrastructure.Postgres;

/// <summary>
/// The Docker engine the suite's containers run on (issue 12), found through DOCKER_HOST or the default socket, and the
/// Testcontainers settings this kind of machine needs: Debian's engine speaks API 1.41 (Testcontainers asks for 1.44
/// unless told), and the resource reaper's image can't be pulled without a registry, so the suite removes its own
/// containers (labelled <see cref="RunLabel"/>) instead of relying on it. Variables a developer set are left alone.
/// </summary>
internal sealed class DockerEngine
{
    /// <summary>The label on every container the suite starts, for the clean-up of a run that was killed.</summary>
    public const string RunLabel = "org.zaqarhub.tests";

    private static readonly Version TestcontainersApiVersion = new(1, 44);

    private readonly HttpClient _http;

    private DockerEngine(HttpClient http, string version, string apiVersion)
    {
        _http = http;
        Version = version;
        ApiVersion = apiVersion;
    }

    /// <summary>The engine's version, e.g. 20.10.24.</summary>
    public string Version { get; }

    /// <summary>The engine's API version, e.g. 1.41.</summary>
    public string ApiVersion { get; }

    /// <summary>The engine when one answers, else null and why not.</summary>
    public static async Task<(DockerEngine? Engine, string Reason)> TryFindAsync(CancellationToken ct)
    {
        var http = CreateClient(out var endpoint);
        if (http is null)
        {
            return (null, $"no Docker engine endpoint ({endpoint})");
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var info = await http.GetFromJsonAsync<JsonElement>("/version", timeout.Token);
            var engine = new DockerEngine(http, info.GetProperty("Version").GetString() ?? "?", info.GetProperty("ApiVersion").GetString() ?? "1.41");
            engine.ConfigureTestcontainers();
            return (engine, string.Empty);
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or OperationCanceledException or JsonException or KeyNotFoundException)
        {
            http.Dispose();
            return (null, $"no Docker engine answers at {endpoint} ({ex.GetType().Name}: {ex.Message})");
        }
    }

    /// <summary>The newest local image whose name starts with <paramref name="repository"/>, e.g. the locally built PostgreSQL.</summary>
    public async Task<string?> NewestLocalImageAsync(string repository, CancellationToken ct)
    {
        var filter = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["reference"] = [repository] }));
        var images = await _http.GetFromJsonAsync<JsonElement>($"/images/json?filters={filter}", ct);
        return images.EnumerateArray()
            .OrderByDescending(i => i.GetProperty("Created").GetInt64())
            .SelectMany(i => i.TryGetProperty("RepoTags", out var tags) && tags.ValueKind == JsonValueKind.Array
                ? tags.EnumerateArray().Select(t => t.GetString()) : [])
            .FirstOrDefault(t => t is not null && t.StartsWith(repository + ":", StringComparison.Ordinal));
    }

    /// <summary>Sends SIGKILL to a container's main process (the postmaster): what no clean stop can simulate.</summary>
    public async Task KillAsync(string containerId, CancellationToken ct)
    {
        using var response = await _http.PostAsync($"/containers/{Uri.EscapeDataString(containerId)}/kill?signal=KILL", content: null, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Removes the containers a previous run left behind (killed before its fixtures were disposed).</summary>
    public async Task RemoveLeftoversAsync(CancellationToken ct)
    {
        var filter = Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [RunLabel] }));
        var containers = await _http.GetFromJsonAsync<JsonElement>($"/containers/json?all=true&filters={filter}", ct);
        foreach (var container in containers.EnumerateArray())
        {
            var labels = container.GetProperty("Labels");
            // Only containers of runs whose process is gone: parallel runs on one engine keep theirs.
            if (labels.TryGetProperty(RunLabel, out var owner) && int.TryParse(owner.GetString(), out var pid) && IsAlive(pid))
            {
                continue;
            }
            using var _ = await _http.DeleteAsync($"/containers/{container.GetProperty("Id").GetString()}?force=true&v=true", ct);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private void ConfigureTestcontainers()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_API_VERSION")) &&
            System.Version.TryParse(ApiVersion, out var engineApi) && engineApi < TestcontainersApiVersion)
        {
            Environment.SetEnvironmentVariable("DOCKER_API_VERSION", ApiVersion);
        }
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED")))
        {
            Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
        }
    }

    private static HttpClient? CreateClient(out string endpoint)
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(dockerHost) && dockerHost.StartsWith("tcp://", StringComparison.Ordinal))
        {
            endpoint = dockerHost;
            return new HttpClient { BaseAddress = new Uri("http://" + dockerHost["tcp://".Length..]) };
        }
        var socket = !string.IsNullOrEmpty(dockerHost) && dockerHost.StartsWith("unix://", StringComparison.Ordinal)
            ? dockerHost["unix://".Length..]
            : "/var/run/docker.sock";
        endpoint = "unix://" + socket;
        if (!File.Exists(socket))
        {
            return null;
        }
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await unix.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(unix, ownsSocket: true);
                }
                catch
                {
                    unix.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://docker") };
    }
}
