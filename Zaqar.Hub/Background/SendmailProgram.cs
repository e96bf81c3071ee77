using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using MimeKit;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Background;

/// <summary>
/// Mail through the local sendmail program, Zaqar's default mail path (issue 13 item 4; Zaqar's <c>smtp_command</c>):
/// the message (MimeKit's, as the SMTP path sends it), recipients in its headers, is written to the program's input,
/// and its exit code says how it went.
/// </summary>
/// <remarks>Stateless; thread-safe (one process per message).</remarks>
internal static class SendmailProgram
{
    // sysexits.h: the data, the user or the host is wrong; sending again would not help.
    private static readonly int[] PermanentExitCodes = [65, 67, 68];

    private static readonly FormatOptions UnixLineEnds = new() { NewLineFormat = NewLineFormat.Unix };

    /// <summary>The program and its arguments, or null when the command is empty or its program is not installed.</summary>
    public static string[]? Command(string commandLine)
    {
        var parts = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length > 0 && File.Exists(parts[0]) ? parts : null;
    }

    public static async Task<DeliveryResult> SendAsync(string[] command, MimeMessage message, TimeSpan timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.AsSpan(1))
        {
            start.ArgumentList.Add(argument);
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return DeliveryResult.Retry($"The sendmail program {command[0]} could not be started: {ex.Message}");
        }
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(limit.Token);
            var errors = process.StandardError.ReadToEndAsync(limit.Token);
            // sendmail reads lines ending in LF; MimeKit encodes the headers (RFC 2047) and writes the MIME parts.
            await message.WriteToAsync(UnixLineEnds, process.StandardInput.BaseStream, limit.Token);
            process.StandardInput.Close();
            await process.WaitForExitAsync(limit.Token);
            await output;
            var error = (await errors).Split('\n', 2)[0].Trim();
            var code = process.ExitCode;
            if (code == 0)
            {
                return DeliveryResult.Delivered;
            }
            var reason = string.Create(CultureInfo.InvariantCulture, $"The sendmail program {command[0]} exited with code {code}: {error}");
            return PermanentExitCodes.Contains(code) ? DeliveryResult.Refused(reason) : DeliveryResult.Retry(reason);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return DeliveryResult.Retry(string.Create(CultureInfo.InvariantCulture,
                $"The sendmail program {command[0]} did not finish within {timeout.TotalSeconds} seconds."));
        }
        catch (IOException ex)
        {
            // It exited before reading the whole message.
            return DeliveryResult.Retry($"The sendmail program {command[0]} did not take the message: {ex.Message}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
