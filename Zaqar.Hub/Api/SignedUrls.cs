using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api;

/// <summary>A pre-signed URL grant: what it allows, for whom, until when, and its signature.</summary>
public sealed record SignedUrl(IReadOnlyList<string> Paths, IReadOnlyList<string> Methods, string Project, string Expires, string Signature);

/// <summary>
/// Pre-signed URLs (zaqar-v2-api.md section 6): hex HMAC-SHA256 with <see cref="SignedUrlOptions.SecretKey"/> over
/// <c>paths \n methods \n project \n expires</c>, where each separator is the two characters backslash and n, paths
/// and methods sorted and comma-joined, expires as <c>yyyy-MM-ddTHH:mm:ss</c> UTC.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class SignedUrls(IOptions<SignedUrlOptions> options, TimeProvider time)
{
    public const string ExpiresFormat = "yyyy-MM-ddTHH:mm:ss";

    private static readonly TimeSpan PathMatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>True when a secret key is configured (nothing can be signed or verified without one).</summary>
    public bool Enabled => !string.IsNullOrEmpty(options.Value.SecretKey);

    /// <summary>Signs a grant; <paramref name="expires"/> is truncated to whole seconds.</summary>
    public SignedUrl Create(IEnumerable<string> paths, IEnumerable<string> methods, string project, DateTime expires)
    {
        var key = options.Value.SecretKey;
        if (string.IsNullOrEmpty(key))
        {
            throw new InvalidOperationException("SignedUrl:SecretKey is not set.");
        }
        var sortedPaths = paths.Order(StringComparer.Ordinal).ToList();
        var sortedMethods = methods.Order(StringComparer.Ordinal).ToList();
        var expiresText = expires.ToUniversalTime().ToString(ExpiresFormat, CultureInfo.InvariantCulture);
        return new SignedUrl(sortedPaths, sortedMethods, project, expiresText, Sign(key, sortedPaths, sortedMethods, project, expiresText));
    }

    /// <summary>
    /// Checks the URL-* headers of a request: a key is configured, the method is granted, the path matches one of
    /// the granted path patterns (regular expressions, as Zaqar reads them), the grant has not expired and its
    /// signature verifies for this project. Any failure is false (REST answers 404).
    /// </summary>
    public bool Verify(string method, string path, string? project, string? expires, string? methods, string? paths, string signature)
    {
        var key = options.Value.SecretKey;
        if (string.IsNullOrEmpty(key) || project is null || expires is null)
        {
            return false;
        }
        var methodList = (methods ?? string.Empty).Split(',').ToList();
        var pathList = (paths ?? string.Empty).Split(',').ToList();
        if (!methodList.Contains(method, StringComparer.Ordinal))
        {
            return false;
        }
        // An integer is refused (Zaqar: "should be date format"); the time must lie ahead.
        const DateTimeStyles utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (long.TryParse(expires, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) ||
            !DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, utc, out var at) ||
            at <= time.GetUtcNow())
        {
            return false;
        }
        var expected = Sign(key, pathList.Order(StringComparer.Ordinal), methodList.Order(StringComparer.Ordinal), project,
            at.UtcDateTime.ToString(ExpiresFormat, CultureInfo.InvariantCulture));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return false;
        }
        // Only signed (so trusted) patterns are run as regular expressions, and with a time limit.
        return pathList.Any(p => Matches(p, path));
    }

    private static bool Matches(string pattern, string path)
    {
        try
        {
            return Regex.IsMatch(path, pattern, RegexOptions.CultureInvariant, PathMatchTimeout);
        }
        catch (Exception ex) when (ex is ArgumentException or RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string Sign(string key, IEnumerable<string> paths, IEnumerable<string> methods, string project, string expires)
    {
        var body = string.Join(",", paths) + @"\n" + string.Join(",", methods) + @"\n" + project + @"\n" + expires;
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(body)));
    }
}
