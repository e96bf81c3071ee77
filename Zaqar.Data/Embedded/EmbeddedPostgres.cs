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
public sealed partial class EmbeddedPostgres : IAsyncDisposable
{
    private const string SuperUser = "zaqar";
    private const string PasswordFileName = "zaqarhub.password";

    private readonly EmbeddedPostgresOptions _options;
    private ILogger _logger;
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
        // Whatever its state (issue 10: it may have died, or a restart may have been under way): a live server of the data
        // directory is stopped, a stale lock file removed.
        var stopped = await StopOrClearLockAsync("fast", ct);
        _running = false;
        NpgsqlConnection.ClearAllPools();
        if (stopped is not null)
        {
            EmbeddedPostgresLog.Stopped(_logger, _dataDirectory);
        }
    }

    /// <summary>Sends this server's log entries to <paramref name="logger"/> from now on (the host's, once it is built).</summary>
    public void LogTo(ILogger logger) => _logger = logger;

    /// <summary>
    /// Looks at the server (issue 10): is its postmaster alive, and does it answer a query within
    /// <paramref name="timeout"/>? Answering with an error (too many clients, starting up) counts as alive.
    /// </summary>
    public async Task<ServerCheck> CheckAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        if (PostmasterPidFile.ReadPid(_dataDirectory) is not { } pid)
        {
            return new ServerCheck(ServerCondition.Gone, "its lock file postmaster.pid is gone: the server stopped");
        }
        if (!PostmasterPidFile.IsLiveServer(pid, _dataDirectory))
        {
            return new ServerCheck(ServerCondition.Gone, $"its postmaster (PID {pid}) is not running");
        }
        var seconds = (int)Math.Max(1, Math.Ceiling(timeout.TotalSeconds));
        var probe = new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            Pooling = false,
            Timeout = seconds,
            CommandTimeout = seconds,
            ApplicationName = "zaqarhub-supervisor",
        };
        try
        {
            await using var conn = new NpgsqlConnection(probe.ConnectionString);
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SELECT 1", conn);
            await cmd.ExecuteScalarAsync(ct);
            return new ServerCheck(ServerCondition.Answering, "it answers");
        }
        catch (PostgresException ex)
        {
            return new ServerCheck(ServerCondition.Answering, $"it answers with {ex.SqlState}: {ex.MessageText}");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            return new ServerCheck(ServerCondition.NotAnswering, $"its postmaster (PID {pid}) runs but does not answer: {ex.Message}");
        }
    }

    /// <summary>
    /// Brings back a server that died or hangs (issue 10): stops what is left of it (a hung postmaster, immediately) or
    /// removes its stale lock file, then starts it on the same port and data directory with the same password, so the
    /// connection strings handed out stay valid.
    /// </summary>
    public async Task RecoverAsync(CancellationToken ct = default)
    {
        if (await StopOrClearLockAsync("immediate", ct) is { } hung)
        {
            EmbeddedPostgresLog.StoppedServerStillRunning(_logger, _dataDirectory, hung, "immediate");
        }
        await StartServerAsync(ct, keepPort: true);
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
        if (await StopOrClearLockAsync("fast", ct) is { } leftover)
        {
            EmbeddedPostgresLog.StoppedServerStillRunning(_logger, _dataDirectory, leftover, "fast");
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
        try
        {
            await RunAsync("pg_ctl", ["start", "-D", _dataDirectory, "-w", "-t", "120", "-l", log, "-o", settings], ct);
        }
        catch (InvalidOperationException ex)
        {
            // pg_ctl only says "examine the log output": the cause is the server's last words.
            throw new InvalidOperationException($"{ex.Message} Last lines of {log}: {await TailAsync(log, 3, ct)}", ex);
        }
        _running = true;
        EmbeddedPostgresLog.Started(_logger, _dataDirectory, Port);
    }

    /// <summary>
    /// Makes the data directory free to start a server on: a live server of it is stopped (<paramref name="stopMode"/>) and
    /// its PID returned; a lock file naming a process that is no server of it is removed (issue 10: PostgreSQL refuses to
    /// start while the PID in it is alive, and pg_ctl would signal that unrelated process).
    /// </summary>
    private async Task<int?> StopOrClearLockAsync(string stopMode, CancellationToken ct)
    {
        if (PostmasterPidFile.ReadPid(_dataDirectory) is not { } pid)
        {
            return null;
        }
        if (PostmasterPidFile.IsLiveServer(pid, _dataDirectory))
        {
            await RunAsync("pg_ctl", ["stop", "-D", _dataDirectory, "-m", stopMode, "-w", "-t", "60"], ct);
            return pid;
        }
        PostmasterPidFile.Delete(_dataDirectory);
        EmbeddedPostgresLog.RemovedStaleLockFile(_logger, pid, _dataDirectory);
        return null;
    }
}
