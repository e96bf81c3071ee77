using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Zaqar.Data.Entities;
using Zaqar.Data.Stores;

namespace Zaqar.Hub.Api;

/// <summary>A webhook POST to make: URL, body and headers (Content-Type included).</summary>
public sealed record WebhookRequest(Uri Url, string Body, IReadOnlyList<KeyValuePair<string, string>> Headers);

/// <summary>An email to send: recipients (comma-separated), sender, subject, plain-text body.</summary>
public sealed record EmailMessage(string To, string From, string Subject, string Body);

/// <summary>
/// What a subscriber receives for an outbox row (zaqar-v2-api.md section 5.2): the notification document
/// <c>{"id", "body", "ttl", ["delay",] "queue_name", "Message_Type": "Notification"}</c> (the message id is ours; Zaqar
/// leaves it out), or a confirmation request; as a webhook POST (with <c>post_data</c> templating and
/// <c>post_headers</c>) or as an email.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
public sealed class NotificationContent(MessageCrypto crypto, IOptions<NotificationOptions> options)
{
    /// <summary>The text of <c>post_data</c> replaced by the notification document (quotes included).</summary>
    public const string PostDataPlaceholder = "\"$zaqar_message$\"";

    private static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON document of the notification (decrypted when the queue encrypts bodies).</summary>
    public string Document(ClaimedNotification n)
    {
        if (n.Kind == NotificationKind.Confirmation)
        {
            return n.Body;
        }
        var buffer = new ArrayBufferWriter<byte>(n.Body.Length + 160);
        using (var w = new Utf8JsonWriter(buffer, Writer))
        {
            w.WriteStartObject();
            if (n.MessageId is { } id)
            {
                w.WriteString("id", id.ToString("D"));
            }
            w.WritePropertyName("body");
            // Stored bodies are JSON text the service wrote itself.
            w.WriteRawValue(crypto.BodyText(n.Body, n.Encrypted), skipInputValidation: true);
            w.WriteNumber("ttl", n.Ttl);
            if (n.Delay > 0)
            {
                w.WriteNumber("delay", n.Delay);
            }
            w.WriteString("queue_name", n.Source.Name);
            w.WriteString("Message_Type", "Notification");
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The POST for a webhook subscriber. With a <c>post_data</c> option the body is that text (an object or array
    /// option: its JSON) with <c>"$zaqar_message$"</c> replaced by the document; <c>post_headers</c> add to (or
    /// override) <c>Content-Type: application/json</c>; credentials in the URL become Basic authorization.
    /// </summary>
    public WebhookRequest Webhook(ClaimedNotification n)
    {
        var subscriptionOptions = QueueMetadata.Parse(n.Options);
        var document = Document(n);
        var body = subscriptionOptions["post_data"] switch
        {
            // Zaqar's text replacement: the document lands whole where the tenant's text put the placeholder.
            JsonValue v when v.TryGetValue<string>(out var text) => text.Replace(PostDataPlaceholder, document, StringComparison.Ordinal),
            // A JSON template stays JSON (issue 10): only string values that are the placeholder become the document.
            JsonObject or JsonArray => Fill(subscriptionOptions["post_data"]!, document),
            _ => document,
        };
        var headers = new List<KeyValuePair<string, string>> { new("Content-Type", "application/json") };
        if (subscriptionOptions["post_headers"] is JsonObject extra)
        {
            foreach (var (name, value) in extra)
            {
                headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
                headers.Add(new(name, value?.GetValue<string>() ?? string.Empty));
            }
        }
        var url = new Uri(n.Subscriber);
        // Zaqar's HTTP client sends a URL's user:password as Basic credentials; HttpClient would drop them.
        if (url.UserInfo.Length > 0 && !headers.Any(h => string.Equals(h.Key, "Authorization", StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.UnescapeDataString(url.UserInfo)))));
        }
        return new WebhookRequest(url, body, headers);
    }

    /// <summary>The JSON of a <c>post_data</c> object or array with each string value <c>$zaqar_message$</c> replaced by the document.</summary>
    private static string Fill(JsonNode template, string document)
    {
        var placeholder = PostDataPlaceholder[1..^1];
        var buffer = new ArrayBufferWriter<byte>(document.Length + 256);
        using (var w = new Utf8JsonWriter(buffer, Writer))
        {
            Write(template);

            void Write(JsonNode? node)
            {
                switch (node)
                {
                    case JsonObject o:
                        w.WriteStartObject();
                        foreach (var (key, value) in o)
                        {
                            w.WritePropertyName(key);
                            Write(value);
                        }
                        w.WriteEndObject();
                        break;
                    case JsonArray a:
                        w.WriteStartArray();
                        foreach (var item in a)
                        {
                            Write(item);
                        }
                        w.WriteEndArray();
                        break;
                    case JsonValue v when v.TryGetValue<string>(out var text) && text == placeholder:
                        // The document is JSON this service wrote (Document).
                        w.WriteRawValue(document, skipInputValidation: true);
                        break;
                    case null:
                        w.WriteNullValue();
                        break;
                    default:
                        node.WriteTo(w);
                        break;
                }
            }
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The email for a mailto subscriber: to the URI's address, from the <c>from</c> option (else the configured
    /// sender), subject from the URI's <c>subject</c> parameter, the <c>subject</c> option, or a default.
    /// </summary>
    public EmailMessage Email(ClaimedNotification n)
    {
        var smtp = options.Value.Smtp;
        var to = SubscriptionRules.MailtoAddress(n.Subscriber);
        if (n.Kind == NotificationKind.Confirmation)
        {
            return ConfirmationEmail(to, smtp.From, JsonNode.Parse(n.Body)!.AsObject());
        }
        var subscriptionOptions = QueueMetadata.Parse(n.Options);
        var from = subscriptionOptions["from"] is JsonValue f && f.TryGetValue<string>(out var sender) && sender.Length > 0 ? sender : smtp.From;
        var subject = SubscriptionRules.MailtoParameters(n.Subscriber).TryGetValue("subject", out var s) ? s
            : subscriptionOptions["subject"] is JsonValue o && o.TryGetValue<string>(out var option) ? option
            : $"Zaqar Notification: {SubscriptionPaths.Noun(n.Source.Kind)} {n.Source.Name}";
        return new EmailMessage(to, from, subject, Document(n));
    }

    private EmailMessage ConfirmationEmail(string to, string from, JsonObject document)
    {
        string Get(string key) => document[key]?.GetValue<string>() ?? string.Empty;
        var unsubscribed = Get("Message_Type") == ConfirmationDocuments.UnsubscribeConfirmation;
        var path = Get("URL-Paths");
        var text = new StringBuilder();
        text.Append(Get("Message")).Append(". Project: ").Append(Get("X-Project-ID")).Append(".\n\n");
        if (options.Value.ExternalConfirmationUrl is { Length: > 0 } page)
        {
            var query = string.Join("&", new[]
            {
                ("Signature", Get("URL-Signature")), ("Methods", Get("URL-Methods")), ("Paths", path), ("Project", Get("X-Project-ID")),
                ("Expires", Get("URL-Expires")), ("Url", Get("WSGISubscribeURL")), ("Queue", Get("queue_name")),
            }.Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2)));
            text.Append(unsubscribed ? "To subscribe again" : "To confirm this subscription").Append(", visit:\n")
                .Append(page).Append(page.Contains('?', StringComparison.Ordinal) ? '&' : '?').Append(query).Append("\n\n");
        }
        var url = document["WSGISubscribeURL"]?.GetValue<string>() ?? path;
        text.Append("Or send PUT ").Append(url).Append(" with the body {\"confirmed\": true}")
            .Append(", any Client-ID header and these headers:\n")
            .Append("URL-Signature: ").Append(Get("URL-Signature")).Append('\n')
            .Append("URL-Methods: ").Append(Get("URL-Methods")).Append('\n')
            .Append("URL-Paths: ").Append(path).Append('\n')
            .Append("URL-Expires: ").Append(Get("URL-Expires")).Append('\n')
            .Append("X-Project-ID: ").Append(Get("X-Project-ID")).Append("\n\n")
            .Append("This request expires at ").Append(Get("URL-Expires")).Append(" UTC.\n");
        var subject = unsubscribed ? "Zaqar Notification - Unsubscribe Confirmation" : "Zaqar Notification - Subscription Confirmation";
        return new EmailMessage(to, from, subject, text.ToString());
    }
}
