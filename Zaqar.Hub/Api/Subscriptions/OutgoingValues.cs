using System.Buffers;
using System.Collections.Frozen;
using System.Net.Http.Headers;
using System.Net.Mail;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zaqar.Hub.Api;

/// <summary>
/// What a tenant-controlled value may be when it reaches an outgoing webhook request or email (issue 10): the one rule
/// subscribing checks (400) and the senders check again before sending (a failed delivery), so a subscription stored
/// before the rule can't reach the wire either. Header names are HTTP tokens, never a framing, hop-by-hop or routing
/// header the service sets itself; header values are printable ASCII that the header's own grammar accepts; email
/// subjects, senders and recipients hold no control characters, and addresses parse. Headers are only ever added
/// through <see cref="HttpRequestMessage"/>'s validating API, never written as text.
/// </summary>
public static class OutgoingValues
{
    /// <summary>Headers a subscription may not set: the service frames, routes and manages the connection of every request itself.</summary>
    private static readonly FrozenSet<string> ReservedHeaders = new[]
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "TE", "Trailer", "Upgrade", "Expect",
        "HTTP2-Settings",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The headers .NET keeps on a request's content rather than on the request (Content-Length is reserved).</summary>
    private static readonly FrozenSet<string> ContentHeaders = new[]
    {
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5", "Content-Range",
        "Content-Type", "Expires", "Last-Modified",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private const string ReservedList = "Host, Content-Length, Transfer-Encoding, Connection, Keep-Alive, Proxy-*, TE, Trailer, Upgrade, Expect, HTTP2-Settings";

    // RFC 9110 tchar.
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>True when <paramref name="text"/> holds a control character: C0 (CR, LF, NUL, tab...) or DEL.</summary>
    public static bool HasControl(string text) => text.AsSpan().IndexOfAnyInRange('\0', '\x1f') >= 0 || text.Contains('\x7f', StringComparison.Ordinal);

    /// <summary>
    /// Adds a header of a subscription to <paramref name="message"/> (a content header to its content, which it must
    /// have), replacing one of the same name; or, when the rule refuses it, leaves the message alone and says why.
    /// </summary>
    public static string? TryAddHeader(HttpRequestMessage message, string name, string value)
    {
        if (name.Length == 0 || name.AsSpan().ContainsAnyExcept(TokenChars))
        {
            return $"post_headers: \"{name}\" is not a valid header name (a token: letters, digits and !#$%&'*+-.^_`|~).";
        }
        if (ReservedHeaders.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase))
        {
            return $"post_headers: {name} can't be set: the service sets the framing and hop-by-hop headers ({ReservedList}) itself.";
        }
        if (value.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            return $"post_headers: the value of {name} holds a control character (CR, LF, NUL, ...) or non-ASCII text; header values are printable ASCII.";
        }
        try
        {
            HttpHeaders target = ContentHeaders.Contains(name)
                ? message.Content?.Headers ?? throw new InvalidOperationException("The request has no content for " + name + ".")
                : message.Headers;
            target.Remove(name);
            target.Add(name, value);
        }
        catch (FormatException ex)
        {
            return $"post_headers: the value of {name} is not valid for that header ({ex.Message})";
        }
        return null;
    }

    /// <summary>Why an email's subject (or other text field) can't be sent; null when it can.</summary>
    public static string? TextProblem(string what, string text) =>
        HasControl(text) ? $"The {what} holds a control character (CR, LF, NUL, ...)." : null;

    /// <summary>Why email addresses (one, or a comma-separated list) can't be sent to; null when they can.</summary>
    public static string? AddressesProblem(string what, string addresses, bool single = false)
    {
        if (TextProblem(what, addresses) is { } problem)
        {
            return problem;
        }
        try
        {
            var parsed = new MailAddressCollection();
            parsed.Add(addresses);
            return parsed.Count == 0 || (single && parsed.Count > 1)
                ? $"The {what} is not a usable email address: {(single ? "one address" : "at least one")} is needed."
                : null;
        }
        catch (FormatException ex)
        {
            return $"The {what} is not a usable email address: {ex.Message}";
        }
    }

    /// <summary>Why an email can't be sent (its recipients, sender or subject); null when it can.</summary>
    public static string? EmailProblem(EmailMessage email) =>
        AddressesProblem("recipient", email.To) ?? AddressesProblem("sender", email.From, single: true) ?? TextProblem("subject", email.Subject);

    /// <summary>
    /// Checks the options of a subscription that reach the wire: <c>post_headers</c> (each header as
    /// <see cref="TryAddHeader"/> would send it), and the email's <c>subject</c> and <c>from</c> when they are strings
    /// (other types are not used). 400 on the first value refused.
    /// </summary>
    public static void ValidateOptions(JsonObject options)
    {
        if (options["post_headers"] is JsonObject headers)
        {
            using var scratch = new HttpRequestMessage(HttpMethod.Post, "http://localhost/") { Content = new ByteArrayContent([]) };
            foreach (var (name, value) in headers)
            {
                if (TryAddHeader(scratch, name, value?.GetValue<string>() ?? string.Empty) is { } problem)
                {
                    throw ApiErrors.BadRequest(problem);
                }
            }
        }
        if (options["subject"] is JsonValue subject && subject.GetValueKind() == JsonValueKind.String &&
            TextProblem("subject option", subject.GetValue<string>()) is { } subjectProblem)
        {
            throw ApiErrors.BadRequest(subjectProblem);
        }
        if (options["from"] is JsonValue from && from.GetValueKind() == JsonValueKind.String && from.GetValue<string>() is { Length: > 0 } sender &&
            AddressesProblem("from option", sender, single: true) is { } fromProblem)
        {
            throw ApiErrors.BadRequest(fromProblem);
        }
    }
}
