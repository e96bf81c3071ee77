using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api.Auth;

/// <summary>A pre-signed URL grant: what it allows, for whom, until when, and its signature.</summary>
public sealed record SignedUrl(IReadOnlyList<string> Paths, IReadOnlyList<string> Methods, string Project, string Expires, string Signature);

/// <summary>The answer of POST /v2/queues/{q}/share: what was signed, and the signature.</summary>
public sealed record SharedUrlView(
    [property: JsonPropertyName("paths")] IReadOnlyList<string> Paths,
    [property: JsonPropertyName("methods")] IReadOnlyList<string> Methods,
    [property: JsonPropertyName("project")] string Project,
    [property: JsonPropertyName("expires")] string Expires,
    [property: JsonPropertyName("signature")] string Signature);

/// <summary>
/// What a verified pre-signed URL allows: these methods (exact, case-sensitive) on these paths. A signed path is
/// literal, never a pattern (issue 10): it allows the request path that equals it and every path under it (the next
/// character is '/'), so <c>/v2/queues/q/messages</c> allows <c>/v2/queues/q/messages</c> and
/// <c>/v2/queues/q/messages/{id}</c>, not <c>/v2/queues/q/messages2</c>, and a grant for queue <c>s.q</c> never
/// reaches <c>sxq</c>. Zaqar reads the paths as Python regular expressions (<c>re.search</c>); for the paths Zaqar
/// itself signs (/share, confirmation) the two readings allow the same requests. Matching costs at most one ordinal
/// comparison of the path per signed path, and a grant has at most <see cref="SignedUrls.MaxEntries"/> of them.
/// </summary>
public sealed record SignedScope(IReadOnlyList<string> Methods, IReadOnlyList<string> Paths)
{
    public bool Allows(string method, string path) =>
        Methods.Contains(method, StringComparer.Ordinal) && Paths.Any(p => Covers(p, path));

    /// <summary>Whether the signed path <paramref name="signed"/> allows the request path <paramref name="path"/>.</summary>
    public static bool Covers(string signed, string path)
    {
        // "/v2/queues/q/" signs the same as "/v2/queues/q"; an empty signed path allows nothing.
        var prefix = signed.AsSpan().TrimEnd('/');
        return prefix.Length > 0 &&
            path.AsSpan().StartsWith(prefix, StringComparison.Ordinal) &&
            (path.Length == prefix.Length || path[prefix.Length] == '/');
    }
}

/// <summary>
/// Pre-signed URLs (zaqar-v2-api.md section 6), with Zaqar's exact signature input so that a URL signed by a
/// Zaqar deployment with the same secret verifies here: hex HMAC-SHA256 keyed by the secret over
/// <c>paths + "\n" + methods + "\n" + project + "\n" + expires</c>, where each "\n" is the two characters
/// backslash and n, and paths and methods are sorted and comma-joined.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class SignedUrls(IOptions<SignedUrlOptions> options, TimeProvider time)
{
    public const string DateFormat = "yyyy-MM-ddTHH:mm:ss";

    /// <summary>The most paths (or methods) one pre-signed URL may carry: /share signs at most 3 paths, a confirmation 1.</summary>
    public const int MaxEntries = 16;

    // Bounds on the URL-* headers, checked before anything else is done with them (issue 10).
    private const int MaxSignatureLength = 128;
    private const int MaxExpiresLength = 64;
    private const int MaxMethodsLength = 256;
    private const int MaxPathsLength = 4096;

    private static readonly string[] KnownKeys = ["paths", "methods", "expires"];
    private static readonly string[] ValidPaths = ["messages", "subscriptions", "claims"];

    /// <summary>True when a secret key is configured (nothing can be signed or verified without one).</summary>
    public bool Enabled => !string.IsNullOrEmpty(options.Value.SecretKey);

    /// <summary>Signs a grant (e.g. a subscription's confirm URL); <paramref name="expires"/> is truncated to whole seconds.</summary>
    public SignedUrl Create(IEnumerable<string> paths, IEnumerable<string> methods, string project, DateTime expires)
    {
        var secret = options.Value.SecretKey;
        if (string.IsNullOrEmpty(secret))
        {
            throw new InvalidOperationException("SignedUrl:SecretKey is not set.");
        }
        var sortedPaths = paths.Order(StringComparer.Ordinal).ToList();
        var sortedMethods = methods.Order(StringComparer.Ordinal).ToList();
        var expiresText = expires.ToUniversalTime().ToString(DateFormat, CultureInfo.InvariantCulture);
        return new SignedUrl(sortedPaths, sortedMethods, project, expiresText, Sign(secret, sortedPaths, sortedMethods, project, expiresText));
    }

    /// <summary>Signs access to the queue's <c>paths</c> for <c>methods</c> until <c>expires</c> (the /share request body).</summary>
    public SharedUrlView Share(CallContext ctx, string queue, JsonElement? document)
    {
        IdentityRules.ValidateQueueName(queue, ctx.ProjectId);
        var secret = options.Value.SecretKey;
        List<string> paths = ["messages"], methods = ["GET"];
        var expires = time.GetUtcNow().UtcDateTime.AddDays(1);
        if (document is { ValueKind: JsonValueKind.Object } doc)
        {
            var unknown = doc.EnumerateObject().Select(p => p.Name).Where(n => !KnownKeys.Contains(n)).ToList();
            if (unknown.Count > 0)
            {
                throw ApiErrors.BadRequest($"Unknown keys: {{{string.Join(", ", unknown.Select(u => $"'{u}'"))}}}");
            }
            if (doc.TryGetProperty("paths", out var p) && p.ValueKind == JsonValueKind.Array && p.GetArrayLength() > 0)
            {
                paths = Strings(p, "paths");
                var invalid = paths.Where(x => !ValidPaths.Contains(x)).ToList();
                if (invalid.Count > 0)
                {
                    throw ApiErrors.BadRequest($"Invalid paths: {{{string.Join(", ", invalid.Select(i => $"'{i}'"))}}}");
                }
            }
            if (doc.TryGetProperty("methods", out var m) && m.ValueKind != JsonValueKind.Null)
            {
                if (m.ValueKind != JsonValueKind.Array)
                {
                    throw ApiErrors.BadRequest("`methods` should be a list");
                }
                methods = m.GetArrayLength() == 0 ? methods : Strings(m, "methods");
            }
            if (doc.TryGetProperty("expires", out var e) && e.ValueKind != JsonValueKind.Null)
            {
                expires = e.ValueKind == JsonValueKind.String && TryParseTime(e.GetString(), out var parsed)
                    ? parsed
                    : throw ApiErrors.BadRequest("`expires` must be an ISO 8601 date and time.");
            }
        }
        else if (document is { ValueKind: not JsonValueKind.Null })
        {
            throw ApiErrors.DocumentTypeNotSupported;
        }
        if (string.IsNullOrEmpty(secret))
        {
            throw ApiErrors.BadRequest("The `key` can't be None: the service has no signed-URL secret (SignedUrl:SecretKey).");
        }
        if (expires <= time.GetUtcNow().UtcDateTime)
        {
            throw ApiErrors.BadRequest("`expires` is lower than the current time");
        }
        var grant = Create(paths.Select(p => $"{Paths.Queue(queue)}/{p}"), methods, ctx.ProjectId, expires);
        return new SharedUrlView(grant.Paths, grant.Methods, grant.Project, grant.Expires, grant.Signature);
    }

    /// <summary>
    /// Checks the URL-* headers of a request for <paramref name="project"/>: the signature, the expiry, and (when given)
    /// that <paramref name="method"/> and <paramref name="path"/> are within the signed scope. Any failure is 404, as in Zaqar.
    /// </summary>
    public SignedScope Verify(SignedHeaders headers, string? project, string? method, string? path)
    {
        var scope = Verify(headers, project);
        if (method is not null && path is not null && !scope.Allows(method, path))
        {
            throw NotFound();
        }
        return scope;
    }

    /// <summary>
    /// Authenticates the URL-* headers for <paramref name="project"/>: bounded sizes, then the HMAC (compared in constant
    /// time), then the expiry. Until the signature verifies, nothing is done with the headers beyond building the
    /// signature's input (issue 10: unauthenticated input must not cost more than a hash), so the scope returned is
    /// always one the secret's holder signed. Any failure is 404.
    /// </summary>
    public SignedScope Verify(SignedHeaders headers, string? project)
    {
        var secret = options.Value.SecretKey;
        if (string.IsNullOrEmpty(secret) || project is null ||
            !Bounded(headers.Signature, MaxSignatureLength) || !Bounded(headers.Expires, MaxExpiresLength) ||
            !Bounded(headers.Methods, MaxMethodsLength) || !Bounded(headers.Paths, MaxPathsLength))
        {
            throw NotFound();
        }
        var methods = (headers.Methods ?? string.Empty).Split(',');
        var paths = (headers.Paths ?? string.Empty).Split(',');
        if (methods.Length > MaxEntries || paths.Length > MaxEntries ||
            // An integer is refused (Zaqar: "should be date format"); otherwise Zaqar signs the time as it re-formats it.
            long.TryParse(headers.Expires, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ||
            !TryParseTime(headers.Expires, out var expires))
        {
            throw NotFound();
        }
        // Zaqar signs the sorted lists; a client sends them back as it got them.
        var expected = Sign(secret, paths.Order(StringComparer.Ordinal).ToList(), methods.Order(StringComparer.Ordinal).ToList(), project,
            expires.ToString(DateFormat, CultureInfo.InvariantCulture));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(headers.Signature)) ||
            expires <= time.GetUtcNow().UtcDateTime)
        {
            throw NotFound();
        }
        return new SignedScope(methods, paths);
    }

    private static bool Bounded(string? value, int maxLength) => value is null || value.Length <= maxLength;

    /// <summary>Zaqar's signature: hex HMAC-SHA256 over the four lines joined by a literal backslash-n.</summary>
    public static string Sign(string secret, IReadOnlyList<string> paths, IReadOnlyList<string> methods, string project, string expires)
    {
        var body = $"{string.Join(',', paths)}\\n{string.Join(',', methods)}\\n{project}\\n{expires}";
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));
    }

    public static ZaqarException NotFound() => new(404, "404 Not Found");

    private static List<string> Strings(JsonElement array, string name) =>
        array.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw ApiErrors.BadRequest($"`{name}` should be a list of strings")).ToList();

    private static bool TryParseTime(string? text, out DateTime utc)
    {
        utc = default;
        if (string.IsNullOrWhiteSpace(text) ||
            !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }
        utc = parsed.UtcDateTime;
        return true;
    }
}
