using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>
/// An SMTP server inside the test (loopback) that accepts every message and keeps it: enough of RFC 5321 for MailKit's
/// client. Given a certificate it offers STARTTLS (RFC 3207), and given credentials it requires AUTH PLAIN (RFC 4954) after
/// it, refusing a wrong password with 535 (issue 15).
/// </summary>
public sealed partial class SmtpSink(X509Certificate2? certificate = null, NetworkCredential? credentials = null) : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Mail> _mails = new();
    private Task? _accepting;

    /// <summary>A message as received: envelope, headers (names lower-cased), decoded body, and how its session went.</summary>
    public sealed record Mail(string From, IReadOnlyList<string> To, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        /// <summary>The session had switched to TLS.</summary>
        public bool Tls { get; init; }

        /// <summary>The user the session authenticated as, if any.</summary>
        public string? User { get; init; }

        public string Subject => Headers.GetValueOrDefault("subject", string.Empty);
    }

    public int Port => ((IPEndPoint)Started()._listener.LocalEndpoint).Port;

    public IReadOnlyList<Mail> Mails => _mails.ToList();

    public async Task<IReadOnlyList<Mail>> WaitForAsync(Func<Mail, bool> match, int count = 1, Action? step = null)
    {
        await DeliveryWaits.UntilAsync(() => _mails.Count(match) >= count, step, 10, $"{count} emails");
        return _mails.Where(match).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _stop.Dispose();
    }

    private SmtpSink Started()
    {
        if (_accepting is null)
        {
            _listener.Start();
            _accepting = AcceptAsync();
        }
        return this;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        Stream stream = client.GetStream();
        var session = new Session();
        var greet = true;
        // A STARTTLS ends the plain dialogue; it starts again over TLS (RFC 3207: the client says EHLO again).
        while (await DialogueAsync(stream, session, greet) is { } upgraded)
        {
            stream = upgraded;
            greet = false;
        }
    }

    private sealed class Session
    {
        public bool Tls { get; set; }

        public string? User { get; set; }
    }

    /// <summary>Serves commands until QUIT or the end; returns the TLS stream when the client started TLS.</summary>
    private async Task<Stream?> DialogueAsync(Stream stream, Session session, bool greet)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
        await using var writer = new StreamWriter(stream, Encoding.ASCII, 1024, leaveOpen: true) { NewLine = "\r\n", AutoFlush = true };
        if (greet)
        {
            await writer.WriteLineAsync("220 sink ESMTP");
        }
        string from = string.Empty;
        var to = new List<string>();
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var words = line.Split(' ');
            switch (words[0].ToUpperInvariant())
            {
                case "EHLO":
                    await writer.WriteLineAsync("250-sink");
                    if (certificate is not null && !session.Tls)
                    {
                        await writer.WriteLineAsync("250-STARTTLS");
                    }
                    if (credentials is not null && session.Tls)
                    {
                        await writer.WriteLineAsync("250-AUTH PLAIN");
                    }
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "STARTTLS" when certificate is not null && !session.Tls:
                    await writer.WriteLineAsync("220 Ready to start TLS");
                    var tls = new SslStream(stream);
                    await tls.AuthenticateAsServerAsync(certificate);
                    session.Tls = true;
                    return tls;
                case "AUTH" when credentials is not null && session.Tls:
                    var response = words.Length > 2 ? words[2] : await ChallengeAsync(reader, writer);
                    var parts = Encoding.UTF8.GetString(Convert.FromBase64String(response)).Split('\0');
                    if (parts.Length == 3 && parts[1] == credentials.UserName && parts[2] == credentials.Password)
                    {
                        session.User = parts[1];
                        await writer.WriteLineAsync("235 2.7.0 Authentication successful");
                    }
                    else
                    {
                        await writer.WriteLineAsync("535 5.7.8 Authentication credentials invalid");
                    }
                    break;
                case "MAIL" when credentials is not null && session.User is null:
                    await writer.WriteLineAsync("530 5.7.0 Authentication required");
                    break;
                case "MAIL":
                    from = Address(line);
                    to.Clear();
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "RCPT":
                    to.Add(Address(line));
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                    {
                        data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                    }
                    _mails.Enqueue(Parse(from, [.. to], data.ToString()) with { Tls = session.Tls, User = session.User });
                    await writer.WriteLineAsync("250 OK");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 Bye");
                    return null;
                default:
                    await writer.WriteLineAsync("250 OK");
                    break;
            }
        }
        return null;
    }

    private async Task<string> ChallengeAsync(StreamReader reader, StreamWriter writer)
    {
        await writer.WriteLineAsync("334 ");
        return await reader.ReadLineAsync(_stop.Token) ?? string.Empty;
    }

    private static string Address(string line) => AddressPattern().Match(line).Groups[1].Value;

    private static Mail Parse(string from, IReadOnlyList<string> to, string data)
    {
        var split = data.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        string? last = null;
        foreach (var line in data[..split].Split("\r\n"))
        {
            if (line.StartsWith(' ') || line.StartsWith('\t'))
            {
                headers[last!] += line.Trim();
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            last = line[..colon].Trim().ToLowerInvariant();
            headers[last] = line[(colon + 1)..].Trim();
        }
        foreach (var key in headers.Keys.ToList())
        {
            headers[key] = EncodedWord().Replace(headers[key], m => m.Groups[1].Value is "B" or "b"
                ? Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[2].Value))
                : DecodeQuoted(m.Groups[2].Value, underscoreIsSpace: true));
        }
        var body = data[(split + 4)..];
        body = headers.GetValueOrDefault("content-transfer-encoding", string.Empty).ToLowerInvariant() switch
        {
            "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(body.Split("\r\n")))),
            "quoted-printable" => DecodeQuoted(body.Replace("=\r\n", string.Empty, StringComparison.Ordinal), underscoreIsSpace: false),
            _ => body,
        };
        return new Mail(from, to, headers, body.TrimEnd('\r', '\n'));
    }

    private static string DecodeQuoted(string text, bool underscoreIsSpace)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i] == '_' && underscoreIsSpace ? " " : text[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    [GeneratedRegex("<([^>]*)>")]
    private static partial Regex AddressPattern();

    [GeneratedRegex(@"=\?[^?]+\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWord();
}
