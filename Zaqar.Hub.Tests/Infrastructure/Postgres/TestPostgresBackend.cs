namespace Zaqar.Hub.Tests.Infrastructure.Postgres;

/// <summary>
/// Where the suite's PostgreSQL servers come from, chosen once per run (issue 12): Testcontainers.PostgreSql whenever a
/// Docker engine answers, with the image ZAQAR_TEST_POSTGRES_IMAGE names, else the official postgres image (a
/// developer's laptop, with a registry), else the newest locally built zaqarhub/postgres image (this kind of machine:
/// test.sh builds it); the embedded cluster from the installed binaries when there is no engine or no image.
/// ZAQAR_TEST_DOCKER=0 forces the embedded cluster.
/// </summary>
public sealed class TestPostgresBackend
{
    public const string OfficialImage = "postgres:15";
    public const string LocalImageRepository = "zaqarhub/postgres";

    private static readonly Lazy<Task<TestPostgresBackend>> Chosen = new(ChooseAsync);

    private readonly DockerEngine? _engine;
    private readonly List<string> _images;

    private TestPostgresBackend(DockerEngine? engine, List<string> images, string why)
    {
        _engine = engine;
        _images = images;
        Why = why;
    }

    /// <summary>The run's backend (the first call decides; later calls wait for that decision).</summary>
    public static TestPostgresBackend Current => Chosen.Value.GetAwaiter().GetResult();

    /// <summary>True when servers are containers.</summary>
    public bool UsesContainers => _engine is not null && _images.Count > 0;

    /// <summary>Why this backend (what was found, what was missing).</summary>
    public string Why { get; private set; }

    /// <summary>Starts a server with an empty database <paramref name="database"/>.</summary>
    public async Task<TestPostgres> StartServerAsync(string database, bool durableCommits, CancellationToken ct)
    {
        while (UsesContainers)
        {
            var image = _images[0];
            try
            {
                return await ContainerTestPostgres.StartAsync(_engine!, image, database, durableCommits, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && _images.Count > 1 && !ct.IsCancellationRequested)
            {
                // The official image can't be pulled where no registry is reachable: the next candidate is local.
                lock (_images)
                {
                    if (_images.Count > 1 && _images[0] == image)
                    {
                        _images.RemoveAt(0);
                        Why += $"; {image} did not start ({ex.GetType().Name}: {FirstLine(ex.Message)}), using {_images[0]}";
                    }
                }
            }
        }
        return await EmbeddedTestPostgres.StartAsync(database, durableCommits, ct);
    }

    private static async Task<TestPostgresBackend> ChooseAsync()
    {
        if (Environment.GetEnvironmentVariable("ZAQAR_TEST_DOCKER") == "0")
        {
            return new TestPostgresBackend(null, [], "ZAQAR_TEST_DOCKER=0");
        }
        var (engine, reason) = await DockerEngine.TryFindAsync(CancellationToken.None);
        if (engine is null)
        {
            return new TestPostgresBackend(null, [], reason);
        }
        await engine.RemoveLeftoversAsync(CancellationToken.None);
        var configured = Environment.GetEnvironmentVariable("ZAQAR_TEST_POSTGRES_IMAGE");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new TestPostgresBackend(engine, [configured], $"Docker {engine.Version} (API {engine.ApiVersion}), ZAQAR_TEST_POSTGRES_IMAGE");
        }
        var images = new List<string> { OfficialImage };
        if (await engine.NewestLocalImageAsync(LocalImageRepository, CancellationToken.None) is { } local)
        {
            images.Add(local);
        }
        return new TestPostgresBackend(engine, images, $"Docker {engine.Version} (API {engine.ApiVersion})");
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
