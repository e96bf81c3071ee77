using System.Diagnostics;
using System.Globalization;

namespace Zaqar.Data.Embedded;

/// <summary>
/// The lock file PostgreSQL keeps in its data directory (postmaster.pid, first line the server's PID), and whether the
/// process it names is a live server of that directory (issue 10).
/// </summary>
/// <remarks>
/// A server killed with SIGKILL leaves the file behind. PostgreSQL clears such a file itself, unless the PID in it now
/// belongs to some other live process (PIDs are reused, across container restarts above all): then it refuses to start.
/// And a stop signal must never go to a process that is not the server. So a PID counts as the server's only when the
/// process is alive and its command line is that of a postgres run on this data directory (Linux: /proc). Stateless.
/// </remarks>
internal static class PostmasterPidFile
{
    /// <summary>The lock file of <paramref name="dataDirectory"/>.</summary>
    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, "postmaster.pid");

    /// <summary>The PID the lock file names; null when there is no file or no PID in it.</summary>
    public static int? ReadPid(string dataDirectory)
    {
        try
        {
            using var reader = new StreamReader(PathIn(dataDirectory));
            return int.TryParse(reader.ReadLine(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="pid"/> is a live postgres server of <paramref name="dataDirectory"/>.</summary>
    public static bool IsLiveServer(int pid, string dataDirectory)
    {
        var proc = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}";
        if (!Directory.Exists("/proc/self"))
        {
            // No /proc to read the command line from: any live process is taken for the server, as pg_ctl does.
            return IsAlive(pid);
        }
        try
        {
            // State is the field after the parenthesized name: a zombie (Z) or dead (X) process serves nothing.
            var stat = File.ReadAllText($"{proc}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', 2)[0];
            if (state is "Z" or "X")
            {
                return false;
            }
            var args = File.ReadAllText($"{proc}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            return args.Length > 0 && Path.GetFileName(args[0]) == "postgres" &&
                args.Select(a => a.TrimEnd('/')).Contains(Path.GetFullPath(dataDirectory).TrimEnd('/'));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // Gone between the two reads, or not ours to look at.
        }
    }

    /// <summary>Deletes the lock file if it is there.</summary>
    public static void Delete(string dataDirectory) => File.Delete(PathIn(dataDirectory));

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
