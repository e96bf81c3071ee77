using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Zaqar.Hub.Tests.Rest.Fuzzing;

/// <summary>The first response to a raw request; status 0 when the connection closed before one came.</summary>
public sealed record RawResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body)
{
    public string? Header(string name) => Headers.LastOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}

/// <summary>
/// HTTP/1.1 over a plain socket, so the fuzzer sends exactly the bytes it means: paths no URI class would keep, raw
/// non-ASCII, framing lies. Keeps one connection alive between requests; a request with custom framing goes on a
/// connection of its own, closed after it (never half-closed: Kestrel takes a FIN for the client going away).
/// Not thread-safe: one per worker.
/// </summary>
public sealed class RawHttpClient(Uri baseUri) : IDisposable
{
    private const int MaxResponseBytes = 16 * 1024 * 1024;
    private NetworkStream? _stream;

    public string HostHeader { get; } = $"{baseUri.Host}:{baseUri.Port}";

    /// <summary>Sends <paramref name="request"/>; throws <see cref="TimeoutException"/> past <paramref name="timeout"/>.</summary>
    public async Task<RawResponse> SendAsync(byte[] request, bool oneShot, bool isHead, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            return await ExchangeAsync(request, oneShot, isHead, retryOnStale: !oneShot && _stream is not null, deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Close();
            throw new TimeoutException($"no response within {timeout.TotalSeconds:N0} s");
        }
    }

    private async Task<RawResponse> ExchangeAsync(byte[] request, bool oneShot, bool isHead, bool retryOnStale, CancellationToken ct)
    {
        if (oneShot)
        {
            Close();
        }
        var stream = _stream ?? await ConnectAsync(ct);
        try
        {
            await stream.WriteAsync(request, ct);
        }
        catch (IOException) when (retryOnStale)
        {
            // The kept-alive connection was closed by the server between requests: once more on a new one.
            Close();
            return await ExchangeAsync(request, oneShot, isHead, retryOnStale: false, ct);
        }
        catch (IOException)
        {
            // The server may have answered and closed before reading everything (a 413, a 400): read what it sent.
        }
        var reader = new ResponseReader(stream);
        RawResponse response;
        try
        {
            response = await reader.ReadAsync(isHead, ct);
        }
        catch (IOException)
        {
            response = new RawResponse(0, [], "");
        }
        if (response.Status == 0 && retryOnStale && reader.Consumed == 0)
        {
            Close();
            return await ExchangeAsync(request, oneShot, isHead, retryOnStale: false, ct);
        }
        if (oneShot || response.Status == 0 || reader.MustClose ||
            string.Equals(response.Header("Connection"), "close", StringComparison.OrdinalIgnoreCase))
        {
            Close();
        }
        return response;
    }

    private async Task<NetworkStream> ConnectAsync(CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(baseUri.Host, baseUri.Port, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public void Close()
    {
        _stream?.Dispose();
        _stream = null;
    }

    public void Dispose() => Close();

    /// <summary>Reads one response (skipping 1xx interim ones): status line, headers, and the body as framed.</summary>
    private sealed class ResponseReader(NetworkStream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly MemoryStream _pending = new();
        private int _start;
        private int _end;

        public long Consumed { get; private set; }

        public bool MustClose { get; private set; }

        public async Task<RawResponse> ReadAsync(bool isHead, CancellationToken ct)
        {
            while (true)
            {
                var statusLine = await ReadLineAsync(ct);
                if (statusLine is null)
                {
                    return new RawResponse(0, [], "");
                }
                var parts = statusLine.Split(' ', 3);
                if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) ||
                    !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
                {
                    throw new InvalidDataException($"not an HTTP/1.x status line: {statusLine}");
                }
                var headers = new List<KeyValuePair<string, string>>();
                while (await ReadLineAsync(ct) is { Length: > 0 } line)
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    headers.Add(new(colon < 0 ? line : line[..colon].Trim(), colon < 0 ? "" : line[(colon + 1)..].Trim()));
                }
                if (status is >= 100 and < 200)
                {
                    continue;
                }
                var response = new RawResponse(status, headers, "");
                var body = isHead || status is 204 or 304 ? [] : await ReadBodyAsync(response, ct);
                return response with { Body = Encoding.UTF8.GetString(body) };
            }
        }

        private async Task<byte[]> ReadBodyAsync(RawResponse response, CancellationToken ct)
        {
            if (response.Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                var body = new MemoryStream();
                while (true)
                {
                    var sizeLine = await ReadLineAsync(ct) ?? throw new IOException("chunked body cut short");
                    var size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (size == 0)
                    {
                        while (await ReadLineAsync(ct) is { Length: > 0 })
                        {
                        }
                        return body.ToArray();
                    }
                    body.Write(await ReadExactlyAsync(size, ct));
                    await ReadLineAsync(ct);
                }
            }
            if (response.Header("Content-Length") is { } length)
            {
                return await ReadExactlyAsync(int.Parse(length, CultureInfo.InvariantCulture), ct);
            }
            MustClose = true;
            var rest = new MemoryStream();
            rest.Write(_buffer, _start, _end - _start);
            _start = _end;
            int n;
            while ((n = await stream.ReadAsync(_buffer, ct)) > 0 && rest.Length < MaxResponseBytes)
            {
                rest.Write(_buffer, 0, n);
            }
            return rest.ToArray();
        }

        private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
        {
            if (count > MaxResponseBytes)
            {
                throw new InvalidDataException($"response body of {count} bytes");
            }
            var result = new byte[count];
            var filled = 0;
            while (filled < count)
            {
                if (_start == _end && !await FillAsync(ct))
                {
                    throw new IOException("body cut short");
                }
                var n = Math.Min(count - filled, _end - _start);
                Array.Copy(_buffer, _start, result, filled, n);
                _start += n;
                filled += n;
            }
            return result;
        }

        /// <summary>A CRLF-terminated line (without it); null at EOF before any byte of it.</summary>
        private async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            _pending.SetLength(0);
            while (true)
            {
                if (_start == _end && !await FillAsync(ct))
                {
                    return _pending.Length == 0 ? null : throw new IOException("line cut short");
                }
                var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                var stop = newline < 0 ? _end : newline;
                _pending.Write(_buffer, _start, stop - _start);
                _start = newline < 0 ? _end : newline + 1;
                if (newline >= 0)
                {
                    var line = Encoding.Latin1.GetString(_pending.GetBuffer(), 0, (int)_pending.Length);
                    return line.EndsWith('\r') ? line[..^1] : line;
                }
                if (_pending.Length > 64 * 1024)
                {
                    throw new InvalidDataException("response line over 64 KiB");
                }
            }
        }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, ct);
            Consumed += _end;
            return _end > 0;
        }
    }
}
