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
}
