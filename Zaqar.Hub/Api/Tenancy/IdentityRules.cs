using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Zaqar.Data;

namespace Zaqar.Hub.Api;

/// <summary>
/// Validates the caller's identity headers (Client-ID, X-Project-ID, X-Roles) and the queue names in a
/// request, the same way for every transport (zaqar-v2-api.md section 1.2).
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed partial class IdentityRules(IOptions<ZaqarOptions> options)
{
    public const int MaxProjectIdLength = 256;
    public const int MaxQueueNameLength = 64;

    /// <summary>Zaqar's queue (and topic) name rule; the OpenAPI document shows it as the path parameter's pattern (issue 15).</summary>
    public const string QueueNamePatternText = "^[a-zA-Z0-9_.-]+$";

    private static readonly IReadOnlySet<string> NoRoles = new HashSet<string>();

    /// <summary>Builds the call context or fails with Zaqar's 400 for a missing or malformed header.</summary>
    public CallContext Validate(string? projectId, string? clientId, string? roles)
    {
        var client = NormalizeClientId(clientId);
        if (projectId is null)
        {
            throw new ZaqarException(400, "Project-Id Missing", "The header X-PROJECT-ID was missing");
        }
        if (projectId.Length == 0)
        {
            throw new ZaqarException(400, "Empty project header not allowed", "The header X-PROJECT-ID was empty");
        }
        if (!IsPrintableAscii(projectId))
        {
            throw MalformedHeader("X-Project-ID");
        }
        return new CallContext(projectId, client, ParseRoles(roles));
    }

    /// <summary>Checks a Client-ID and returns its canonical form (UUIDs lower-case and hyphenated, so echo compares equal).</summary>
    public string NormalizeClientId(string? clientId)
    {
        if (string.IsNullOrEmpty(clientId))
        {
            throw new ZaqarException(400, "Missing header value", "The \"Client-ID\" header is required.");
        }
        var o = options.Value;
        if (o.ClientIdUuidSafe == ClientIdMode.Strict)
        {
            if (!TryParsePythonUuid(clientId, out var uuid))
            {
                throw new ZaqarException(400, "Wrong UUID value", "Malformed hexadecimal UUID.");
            }
            return uuid.ToString("D");
        }
        if (clientId.Length < o.MinLengthClientId || clientId.Length > o.MaxLengthClientId)
        {
            throw new ZaqarException(400, "Malformed header value",
                $"The \"Client-ID\" header must be between {o.MinLengthClientId} and {o.MaxLengthClientId} characters long.");
        }
        if (!IsPrintableAscii(clientId))
        {
            throw MalformedHeader("Client-ID");
        }
        return clientId;
    }

    /// <summary>
    /// Identities are stored, compared and logged as text, and travel in HTTP headers: printable ASCII only (issue 10; a NUL
    /// reached PostgreSQL, which refuses it). A strict Client-ID is a UUID and so passes this rule by construction.
    /// </summary>
    public static bool IsPrintableAscii(string value) => !value.AsSpan().ContainsAnyExceptInRange((char)0x20, (char)0x7E);

    private static ZaqarException MalformedHeader(string header) =>
        new(400, "Malformed header value", $"The \"{header}\" header must be printable ASCII text (no control characters).");

    /// <summary>
    /// Fails with "Invalid queue identification" (or "Invalid topic identification") unless the name and project
    /// follow the rules; topics follow the queues' rules.
    /// </summary>
    public static void ValidateQueueName(string name, string projectId, QueueKind kind = QueueKind.Queue)
    {
        if (!IsValidQueueName(name) || projectId.Length > MaxProjectIdLength)
        {
            throw kind == QueueKind.Topic ? ApiErrors.InvalidTopicName : ApiErrors.InvalidQueueName;
        }
    }

    public static bool IsValidQueueName(string? name) =>
        name is { Length: > 0 and <= MaxQueueNameLength } && QueueNamePattern().IsMatch(name);

    private static IReadOnlySet<string> ParseRoles(string? roles)
    {
        if (string.IsNullOrWhiteSpace(roles))
        {
            return NoRoles;
        }
        return roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Python's uuid.UUID (which Zaqar uses) removes every "urn:" and "uuid:" (case-sensitive, anywhere), strips
    /// braces from both ends, removes every hyphen, and then wants exactly 32 hex digits; clients rely on that leniency.
    /// (Its int() would also take a sign, "0x", underscores or spaces inside those 32 characters; we do not.)
    /// </summary>
    private static bool TryParsePythonUuid(string text, out Guid uuid)
    {
        uuid = default;
        var s = text.Replace("urn:", string.Empty, StringComparison.Ordinal).Replace("uuid:", string.Empty, StringComparison.Ordinal)
            .Trim('{', '}').Replace("-", string.Empty, StringComparison.Ordinal);
        return s.Length == 32 && s.All(char.IsAsciiHexDigit) && Guid.TryParseExact(s, "N", out uuid);
    }

    // Zaqar's documented rule is letters, digits, underscores and dashes; its code also allows dots.
    [GeneratedRegex(QueueNamePatternText)]
    private static partial Regex QueueNamePattern();
}
