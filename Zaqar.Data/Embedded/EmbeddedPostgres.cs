using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Zaqar.Data.Embedded;

/// <summary>
/// A private PostgreSQL cluster run from the installed server binaries: initdb into a data directory, start
/// on 127.0.0.1 and a free port, stop on dispose. Used by the service when no connection string is configured,
/// and by the test suite and the bench.
/// </summary>
/// <remarks>Not thread-safe; owned by one host or fixture.</remarks>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string SuperUser = "zaqar";
    private const string PasswordFileName = "zaqarhub.password";

    private readonly EmbeddedPostgresOptions _options;
    private readonly ILogger _logger;
    private readonly string _binDirectory;
    private readonly string _dataDirectory;
    private readonly bool _temporary;
    private readonly string? _runAs;
    private string _password = string.Empty;
    private bool _running;

    private EmbeddedPostgres(EmbeddedPostgresOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _binDirectory = FindBinDirectory(options.BinDirectory);
        _temporary = string.IsNullOrWhiteSpace(options.DataDirectory);
        _dataDirectory = _temporary
            ? Path.Combine(Path.GetTempPath(), "zaqarhub-pg-" + Guid.NewGuid().ToString("N")[..12])
            : Path.GetFullPath(options.DataDirectory!);
        _runAs = IsRoot() ? options.RootRunAsUser : null;
    }

    /// <summary>The port the server listens on (127.0.0.1).</summary>
    public int Port { get; private set; }

    public string DataDirectory => _dataDirectory;

    /// <summary>A connection string to the service database.</summary>
    public string ConnectionString => ConnectionStringFor(_options.Database);

    public string ConnectionStringFor(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = SuperUser,
        Password = _password,
        Database = database,
    }.ConnectionString;

    /// <summary>Creates (if needed) and starts the cluster, and creates the service database.</summary>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct = default)
    {
        var server = new EmbeddedPostgres(options, logger);
        await server.InitializeAsync(ct);
        await server.StartServerAsync(ct);
        await server.CreateDatabaseAsync(options.Database, ct);
        return server;
    }

    /// <summary>Creates a database in this cluster unless it exists.</summary>
    public async Task CreateDatabaseAsync(string database, CancellationToken ct = default)
    {
        await using var conn = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await conn.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", conn);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"")}\"", conn);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Stops the server (fast shutdown: open sessions are ended).</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        if (!_running)
        {
            return;
        }
        await RunAsync("pg_ctl", ["stop", "-D", _dataDirectory, "-m", "fast", "-w", "-t", "60"], ct);
        _running = false;
        NpgsqlConnection.ClearAllPools();
        EmbeddedPostgresLog.Stopped(_logger, _dataDirectory);
    }

    /// <summary>
    /// Kills the postmaster with SIGKILL, as a crash or the OOM killer would (tests of crash recovery); its backends
    /// exit when they notice. <see cref="RestartAsync"/> starts it again through crash recovery.
    /// </summary>
    public async Task KillAsync(CancellationToken ct = default)
    {
        if (!_running)
        {
            return;
        }
        var pidFile = Path.Combine(_dataDirectory, "postmaster.pid");
        var pid = int.Parse((await File.ReadAllLinesAsync(pidFile, ct))[0], System.Globalization.CultureInfo.InvariantCulture);
        using (var postmaster = Process.GetProcessById(pid))
        {
            postmaster.Kill();
            await postmaster.WaitForExitAsync(ct);
        }
        _running = false;
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Starts the server again on the same port (tests of reconnection).</summary>
    public Task RestartAsync(CancellationToken ct = default) => _running ? Task.CompletedTask : StartServerAsync(ct, keepPort: true);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception ex)
        {
            EmbeddedPostgresLog.StopFailed(_logger, ex);
        }
        if (_temporary)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }
    }

    private async Task InitializeAsync(CancellationToken ct)
    {
        var passwordFile = Path.Combine(_dataDirectory, PasswordFileName);
        if (File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            _password = (await File.ReadAllTextAsync(passwordFile, ct)).Trim();
            return;
        }
        if (Directory.Exists(_dataDirectory) && Directory.EnumerateFileSystemEntries(_dataDirectory).Any())
        {
            throw new InvalidOperationException(
                $"Embedded PostgreSQL: the data directory '{_dataDirectory}' is not empty and holds no cluster (no PG_VERSION). " +
                "Point Embedded:DataDirectory at an empty or missing directory.");
        }
        Directory.CreateDirectory(_dataDirectory);
        _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        // initdb reads the superuser password from a file; it must be readable by the user running initdb.
        var initPasswordFile = Path.Combine(Path.GetTempPath(), "zaqarhub-pw-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(initPasswordFile, _password, ct);
        try
        {
            await GiveToRunAsUserAsync(initPasswordFile, ct);
            await GiveToRunAsUserAsync(_dataDirectory, ct);
            await RunAsync("initdb",
            [
                "-D", _dataDirectory, "-U", SuperUser, "--pwfile", initPasswordFile, "-E", "UTF8", "--no-locale",
                "--auth-local", "trust", "--auth-host", "scram-sha-256", "--no-instructions",
            ], ct);
        }
        finally
        {
            File.Delete(initPasswordFile);
        }
        await File.WriteAllTextAsync(passwordFile, _password, ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        await GiveToRunAsUserAsync(passwordFile, ct);
        EmbeddedPostgresLog.Initialized(_logger, _dataDirectory);
    }

    private async Task StartServerAsync(CancellationToken ct, bool keepPort = false)
    {
        // A previous run that was killed may have left its server running: stop it so this one owns the port choice.
        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            try
            {
                await RunAsync("pg_ctl", ["stop", "-D", _dataDirectory, "-m", "fast", "-w", "-t", "60"], ct);
            }
            catch (InvalidOperationException)
            {
                // Not running: a stale pid file, which postgres itself clears.
            }
        }
        if (!keepPort)
        {
            Port = _options.Port != 0 ? _options.Port : LoopbackPort.Free();
        }
        var settings = $"-c listen_addresses=127.0.0.1 -p {Port} -c unix_socket_directories= -c max_connections={_options.MaxConnections}";
        if (!_options.Durable)
        {
            settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }
        var log = Path.Combine(_dataDirectory, "embedded.log");
        await RunAsync("pg_ctl", ["start", "-D", _dataDirectory, "-w", "-t", "120", "-l", log, "-o", settings], ct);
        _running = true;
        EmbeddedPostgresLog.Started(_logger, _dataDirectory, Port);
    }

    private async Task GiveToRunAsUserAsync(string path, CancellationToken ct)
    {
        if (_runAs is null)
        {
            return;
        }
        await RunProcessAsync("chown", ["-R", _runAs, path], ct);
    }

    private Task<string> RunAsync(string tool, IReadOnlyList<string> args, CancellationToken ct)
    {
        var exe = Path.Combine(_binDirectory, tool);
        if (_runAs is null)
        {
            return RunProcessAsync(exe, args, ct);
        }
        return RunProcessAsync("runuser", ["-u", _runAs, "--", exe, .. args], ct);
    }

    private static async Task<string> RunProcessAsync(string fileName, IReadOnlyList<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server's working directory must be readable by the user it runs as.
            WorkingDirectory = "/",
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        // pg_ctl start leaves the server holding inherited pipes; read to the tool's exit only.
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Embedded PostgreSQL: '{fileName} {string.Join(' ', args)}' failed with exit code {process.ExitCode}: {output.Trim()}");
        }
        return output;
    }

    private static string FindBinDirectory(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (File.Exists(Path.Combine(configured, "pg_ctl")))
            {
                return configured;
            }
            throw new InvalidOperationException($"Embedded PostgreSQL: Embedded:BinDirectory '{configured}' holds no pg_ctl.");
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "initdb")))
            {
                return dir;
            }
        }
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var newest = Directory.GetDirectories(root)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "pg_ctl")))
                .OrderByDescending(d => d.Version)
                .FirstOrDefault();
            if (newest.Dir is not null)
            {
                return newest.Dir;
            }
        }
        throw new InvalidOperationException(
            "No PostgreSQL server binaries found (looked for pg_ctl and initdb on PATH and in /usr/lib/postgresql/<version>/bin). " +
            "Install them (Debian/Ubuntu: apt-get install postgresql), set Embedded:BinDirectory to their directory, " +
            "or set ConnectionStrings:Zaqar (environment: ConnectionStrings__Zaqar) to an existing PostgreSQL.");
    }


    // Environment.UserName reads the effective user on Unix.
    private static bool IsRoot() => !OperatingSystem.IsWindows() && Environment.UserName == "root";
}
