using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;

namespace Zaqar.Hub.Rest;

/// <summary>Reading REST requests the way Zaqar (Falcon) reads them: query parameters, bounded bodies, the caller.</summary>
internal static class RestRequest
{
    private const string ContextKey = "zaqar.call-context";

    private static readonly string[] TrueStrings = ["true", "True", "t", "yes", "y", "1", "on"];
    private static readonly string[] FalseStrings = ["false", "False", "f", "no", "n", "0", "off"];

    /// <summary>Every text a boolean parameter accepts (the OpenAPI document lists them: issue 15).</summary>
    public static IEnumerable<string> BooleanStrings => TrueStrings.Concat(FalseStrings);

    public static CallContext Caller(this HttpContext http) =>
        http.Items[ContextKey] as CallContext ?? throw new InvalidOperationException("The REST filter did not run for this endpoint.");

    public static void SetCaller(this HttpContext http, CallContext context) => http.Items[ContextKey] = context;

    /// <summary>The caller's credentials as REST carries them: in Zaqar's headers.</summary>
    public static Credentials Credentials(HttpRequest request) =>
        Api.Auth.Credentials.FromHeaders(name => request.Headers[name].LastOrDefault());

    /// <summary>A query parameter; blank values count as absent (Falcon drops them).</summary>
    public static string? String(this HttpRequest request, string name)
    {
        var values = request.Query[name];
        return StringValues.IsNullOrEmpty(values) || string.IsNullOrEmpty(values[^1]) ? null : values[^1];
    }

    public static int? Int(this HttpRequest request, string name)
    {
        var text = request.String(name);
        if (text is null)
        {
            return null;
        }
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw ApiErrors.InvalidParameter(name, "The value must be an integer.");
        }
        return (int)Math.Clamp(value, int.MinValue, int.MaxValue);
    }

    public static bool? Bool(this HttpRequest request, string name)
    {
        var text = request.String(name);
        if (text is null)
        {
            return null;
        }
        if (TrueStrings.Contains(text))
        {
            return true;
        }
        if (FalseStrings.Contains(text))
        {
            return false;
        }
        throw ApiErrors.InvalidParameter(name, "The value of the parameter must be \"true\" or \"false\".");
    }

    /// <summary>A comma-separated list parameter (repeated parameters are joined), or null when absent.</summary>
    public static IReadOnlyList<string>? List(this HttpRequest request, string name)
    {
        var values = request.Query[name];
        if (StringValues.IsNullOrEmpty(values))
        {
            return null;
        }
        var items = values.SelectMany(v => (v ?? string.Empty).Split(',')).Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
        return items.Count == 0 ? null : items;
    }

    /// <summary>
    /// Reads the body, but never more than <paramref name="limit"/> + 1 bytes: enough for the caller's size
    /// check to fail, without letting a client make the server buffer an unbounded body.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(this HttpRequest request, long limit)
    {
        var cap = (int)Math.Min(limit + 1, int.MaxValue - 1);
        var buffer = new byte[Math.Min(cap, (int)Math.Min(request.ContentLength ?? 4096, cap))];
        var read = 0;
        while (read < cap)
        {
            if (read == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, cap));
            }
            int n;
            try
            {
                n = await request.Body.ReadAsync(buffer.AsMemory(read, buffer.Length - read), request.HttpContext.RequestAborted);
            }
            catch (IOException ex) when (ex is not BadHttpRequestException && !request.HttpContext.RequestAborted.IsCancellationRequested)
            {
                // Kestrel reports a chunk size past int.MaxValue as a bare IOException ("Bad chunk size data", aspnet/KestrelHttpServer
                // issue 1899) where other framing errors are BadHttpRequestException: the client's framing either way (issue 10).
                throw new BadHttpRequestException("Request body could not be read.", StatusCodes.Status400BadRequest, ex);
            }
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        return buffer.AsMemory(0, read);
    }

    /// <summary>The request's JSON document (a body of at most <paramref name="limit"/> bytes is read), or null when it has no body.</summary>
    public static async Task<JsonElement?> ReadOptionalJsonAsync(this HttpRequest request, long limit)
    {
        var body = await request.ReadBodyAsync(limit);
        if (body.Length == 0)
        {
            return null;
        }
        using var document = JsonInput.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>True when the request carries a body (a length above zero, or chunked).</summary>
    public static bool HasBody(this HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
}
