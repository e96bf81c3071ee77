using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zaqar.Data.Entities;

namespace Zaqar.Hub.Api;

/// <summary>A subscription document after its types were checked: each part null when absent.</summary>
public sealed record SubscriptionDraft(string? Subscriber, int? Ttl, JsonObject? Options)
{
    /// <summary>The document had a <c>subscriber</c> key (POST needs one, whatever its value).</summary>
    public bool HasSubscriber { get; init; }

    /// <summary>No body, or an empty object (Zaqar: "No subscription to create.").</summary>
    public bool DocumentEmpty { get; init; }

    public bool IsEmpty => Subscriber is null && Ttl is null && Options is null;
}

/// <summary>
/// Validation of subscription documents and subscribers (zaqar-v2-api.md section 5.1), with Zaqar's messages, for
/// every transport.
/// </summary>
public static class SubscriptionRules
{
    /// <summary>Subscribers are indexed for the duplicate rule; an index entry must stay well under PostgreSQL's limit.</summary>
    public const int MaxSubscriberBytes = 2048;

    /// <summary>The subscriber of a hub connection's subscription: never a URI a client can send.</summary>
    public const string HubScheme = "hub";

    /// <summary>Reads a POST or PATCH document (null: no body); 400 on wrong shapes or types.</summary>
    public static SubscriptionDraft Read(JsonElement? document)
    {
        if (document is not { } doc)
        {
            return new SubscriptionDraft(null, null, null) { DocumentEmpty = true };
        }
        if (doc.ValueKind != JsonValueKind.Object)
        {
            throw ApiErrors.BadRequest("Subscriptions must be a dict.");
        }
        var hasSubscriber = doc.TryGetProperty("subscriber", out var subscriber);
        string? subscriberText = null;
        if (hasSubscriber && subscriber.ValueKind != JsonValueKind.Null)
        {
            subscriberText = subscriber.ValueKind == JsonValueKind.String
                ? subscriber.GetString()
                : throw ApiErrors.BadRequest("The subscriber must be a string: a URI such as https://example.com/hook or mailto:ops@example.com.");
        }
        int? ttl = null;
        if (doc.TryGetProperty("ttl", out var ttlValue) && ttlValue.ValueKind != JsonValueKind.Null)
        {
            if (!JsonInput.IsInteger(ttlValue, out var n))
            {
                throw ApiErrors.BadRequest("TTL must be an integer.");
            }
            ttl = n > int.MaxValue ? throw TtlTooLarge() : (int)Math.Max(n, int.MinValue);
        }
        JsonObject? options = null;
        // A null options (or ttl) means "not given", as Zaqar's update skips None values.
        if (doc.TryGetProperty("options", out var optionsValue) && optionsValue.ValueKind != JsonValueKind.Null)
        {
            options = Options(AcceptableJson.DocumentNode(optionsValue));
        }
        return new SubscriptionDraft(subscriberText, ttl, options)
        {
            HasSubscriber = hasSubscriber,
            DocumentEmpty = !doc.EnumerateObject().Any(),
        };
    }

    /// <summary>A draft from a transport that binds the parts itself (the hub); null parts are absent.</summary>
    public static SubscriptionDraft FromParts(string? subscriber, int? ttl, JsonElement? options)
    {
        // REST's subscriber is a string of a checked JSON document; a bound one is checked here (issue 10: it is stored).
        AcceptableJson.CheckText(subscriber);
        var given = options is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } o ? Options(AcceptableJson.DocumentNode(o)) : null;
        return new SubscriptionDraft(subscriber, ttl, given)
        {
            HasSubscriber = subscriber is not null,
            DocumentEmpty = subscriber is null && ttl is null && given is null,
        };
    }

    /// <summary>
    /// Checks an <c>options</c> value: falsy means none ({}), anything else must be an object whose
    /// <c>_retry_policy</c>, <c>post_headers</c> and <c>post_data</c> a dispatcher can use.
    /// </summary>
    public static JsonObject Options(JsonNode? options)
    {
        if (QueueMetadata.IsFalsy(options))
        {
            return [];
        }
        if (options is not JsonObject obj)
        {
            throw ApiErrors.BadRequest("Options must be a dict.");
        }
        RetryPolicyRules.Validate(obj[QueueMetadata.RetryPolicy], ApiErrors.BadRequest);
        var headers = obj["post_headers"];
        if (!QueueMetadata.IsFalsy(headers) &&
            !(headers is JsonObject h && h.All(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String)))
        {
            throw ApiErrors.BadRequest("post_headers must be a dict of header names to string values.");
        }
        var data = obj["post_data"];
        if (data is not null && data.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Object or JsonValueKind.Array))
        {
            throw ApiErrors.BadRequest("post_data must be a string (or a JSON object or array) containing \"$zaqar_message$\".");
        }
        OutgoingValues.ValidateOptions(obj);
        return obj;
    }

    /// <summary>Checks a ttl: at least the minimum, and small enough that its expiry is a date.</summary>
    public static void ValidateTtl(int ttl, DateTime now)
    {
        if (ttl < MessageRules.MinSubscriptionTtl)
        {
            throw ApiErrors.BadRequest($"The TTL for a subscription must be at least {MessageRules.MinSubscriptionTtl} seconds long.");
        }
        if (ttl > (DateTime.MaxValue - now).TotalSeconds)
        {
            throw TtlTooLarge();
        }
    }

    private static ZaqarException TtlTooLarge() =>
        ApiErrors.BadRequest("The TTL seconds for a subscription plus current time must be less than 9999-12-31 23:59:59.999999.");

    /// <summary>
    /// What kind of subscriber a URI is, or 400: its scheme must be one of <see cref="ZaqarOptions.SubscriberTypes"/>
    /// and deliverable here (trust+ needs Keystone), and the rest of it well formed.
    /// </summary>
    public static SubscriberType Classify(string subscriber, ZaqarOptions o, WebhookEgress egress)
    {
        var scheme = Scheme(subscriber);
        if (scheme is null || !o.SubscriberTypes.Contains(scheme, StringComparer.Ordinal))
        {
            throw ApiErrors.BadRequest(
                $"The subscriber type of subscription must be supported in the list [{string.Join(", ", o.SubscriberTypes.Select(t => $"'{t}'"))}].");
        }
        if (Encoding.UTF8.GetByteCount(subscriber) > MaxSubscriberBytes)
        {
            throw ApiErrors.BadRequest($"The subscriber may not be longer than {MaxSubscriberBytes} bytes.");
        }
        if (OutgoingValues.HasControl(subscriber))
        {
            throw ApiErrors.BadRequest("The subscriber may not hold control characters (CR, LF, NUL, ...).");
        }
        switch (scheme)
        {
            case "http" or "https":
                if (!Uri.TryCreate(subscriber, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
                {
                    throw ApiErrors.BadRequest("The subscriber must be an absolute http or https URL, e.g. https://example.com/hook.");
                }
                if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 &&
                    System.Net.IPAddress.TryParse(uri.IdnHost, out var address) && egress.IsBlocked(address))
                {
                    throw ApiErrors.BadRequest(egress.Refusal(address));
                }
                return SubscriberType.Webhook;
            case "mailto":
                var to = MailtoAddress(subscriber);
                if (!to.Contains('@', StringComparison.Ordinal))
                {
                    throw ApiErrors.BadRequest("The subscriber must name an email address, e.g. mailto:ops@example.com.");
                }
                // Percent-decoded, the address and the subject must still be fit for an email's headers (issue 10).
                if ((OutgoingValues.AddressesProblem("subscriber's address", to) ??
                    (MailtoParameters(subscriber).TryGetValue("subject", out var subject) ? OutgoingValues.TextProblem("subscriber's subject", subject) : null)) is { } problem)
                {
                    throw ApiErrors.BadRequest(problem);
                }
                // Accepted whatever mail path is configured, as Zaqar accepts it (issue 13 item 4): without one, its
                // deliveries fail with the reason in last_error (MailSender).
                return SubscriberType.Mailto;
            case "trust+http" or "trust+https":
                throw ApiErrors.BadRequest(
                    $"Subscriber type {scheme} needs Keystone trusts, and this deployment does not use Keystone authentication. " +
                    "Subscribe with an http or https URL instead.");
            default:
                throw ApiErrors.BadRequest($"Subscriber type {scheme} is not supported by this service.");
        }
    }

    /// <summary>The scheme of a URI as Python's urlparse reads it (lower-cased), or null when it has none.</summary>
    public static string? Scheme(string uri)
    {
        var colon = uri.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !char.IsAsciiLetter(uri[0]))
        {
            return null;
        }
        for (var i = 1; i < colon; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(uri[i]) || uri[i] is '+' or '-' or '.'))
            {
                return null;
            }
        }
        return uri[..colon].ToLowerInvariant();
    }

    /// <summary>The address(es) of a mailto URI: the part between "mailto:" and "?", percent-decoded.</summary>
    public static string MailtoAddress(string subscriber)
    {
        var rest = subscriber[(subscriber.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var query = rest.IndexOf('?', StringComparison.Ordinal);
        return Uri.UnescapeDataString(query < 0 ? rest : rest[..query]).Trim();
    }

    /// <summary>The query parameters of a mailto URI, names lower-cased (first value of each).</summary>
    public static IReadOnlyDictionary<string, string> MailtoParameters(string subscriber)
    {
        var query = subscriber.IndexOf('?', StringComparison.Ordinal);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (query < 0)
        {
            return parameters;
        }
        foreach (var pair in subscriber[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            parameters.TryAdd(name, value);
        }
        return parameters;
    }
}
