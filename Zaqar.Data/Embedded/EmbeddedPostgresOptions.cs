using System.ComponentModel.DataAnnotations;

namespace Zaqar.Data.Embedded;

/// <summary>Settings of the private PostgreSQL cluster started when no connection string is configured.</summary>
public sealed class EmbeddedPostgresOptions
{
    public const string SectionName = "Embedded";

    /// <summary>
    /// The cluster's data directory. Kept across restarts; created (initdb) when missing or empty.
    /// Relative paths are taken from the current directory. Null: a temporary directory deleted on stop.
    /// </summary>
    public string? DataDirectory { get; set; }

    /// <summary>Where initdb, pg_ctl and postgres live. Null: pg_ctl on PATH, else the newest /usr/lib/postgresql/*/bin.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>TCP port on 127.0.0.1; 0 picks a free one at each start.</summary>
    public int Port { get; set; }

    /// <summary>The database the service uses.</summary>
    public string Database { get; set; } = "zaqar";

    /// <summary>
    /// False turns off fsync and synchronous commit: for throwaway clusters (tests) only, where a crash may
    /// lose the last transactions.
    /// </summary>
    public bool Durable { get; set; } = true;

    public int MaxConnections { get; set; } = 300;

    /// <summary>The OS user that runs the server when this process runs as root (PostgreSQL refuses root).</summary>
    public string RootRunAsUser { get; set; } = "postgres";

    /// <summary>Whether the service watches the server and restarts it when it dies or hangs (issue 10).</summary>
    public bool Supervise { get; set; } = true;

    /// <summary>How often the supervisor looks at the server: is the postmaster alive, does it answer.</summary>
    [Range(50, 600_000)] public int CheckIntervalMilliseconds { get; set; } = 1000;

    /// <summary>How long a check waits for the server to answer.</summary>
    [Range(1, 300)] public int CheckTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Checks in a row a live postmaster may fail to answer before it is taken for hung and restarted. A dead postmaster
    /// is restarted at once.
    /// </summary>
    [Range(1, 1000)] public int FailedChecksBeforeRestart { get; set; } = 6;

    /// <summary>The wait after the first failed restart attempt; it doubles after each failure, up to the maximum.</summary>
    [Range(10, 600_000)] public int RestartMinDelayMilliseconds { get; set; } = 500;

    [Range(10, 3_600_000)] public int RestartMaxDelayMilliseconds { get; set; } = 30_000;

    /// <summary>Throws when a setting is out of its range (checked at start, as the host checks its own options).</summary>
    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        if (RestartMaxDelayMilliseconds < RestartMinDelayMilliseconds)
        {
            throw new ValidationException("Embedded:RestartMaxDelayMilliseconds must not be below Embedded:RestartMinDelayMilliseconds.");
        }
    }
}
