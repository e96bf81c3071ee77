using System.Diagnostics;

namespace Zaqar.Data.Embedded;

/// <summary>The server's tools (initdb, pg_ctl) and where they are: run as the right user, their failures in words.</summary>
public sealed partial class EmbeddedPostgres
{
    private static async Task<string> TailAsync(string path, int lines, CancellationToken ct)
    {
        try
        {
            var all = await File.ReadAllLinesAsync(path, ct);
            return string.Join(" | ", all.Where(l => l.Length > 0).TakeLast(lines));
        }
        catch (IOException)
        {
            return "(none)";
        }
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
