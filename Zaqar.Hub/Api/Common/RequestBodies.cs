using System.Text.Json;

namespace Zaqar.Hub.Api;

/// <summary>
/// Reads request documents in Zaqar's wire shapes into API inputs, with Zaqar's errors for wrong shapes and
/// types. Used by every transport that receives JSON documents.
/// </summary>
public static class RequestBodies
{
    /// <summary>
    /// Reads <c>{"messages":[{"body":..., "ttl":..., "delay":...}, ...]}</c>. <c>delay</c> is read only when
    /// <paramref name="readDelay"/> (a delayed queue); elsewhere the field is ignored, whatever it holds.
    /// </summary>
    public static IReadOnlyList<MessageDraft> Messages(JsonElement document, bool readDelay = true)
    {
        if (document.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            throw ApiErrors.DocumentTypeNotSupported;
        }
        if (document.ValueKind != JsonValueKind.Object || !document.TryGetProperty("messages", out var messages))
        {
            throw ApiErrors.BadRequest("No messages were found in the request body.");
        }
        if (messages.ValueKind != JsonValueKind.Array)
        {
            throw ApiErrors.DocumentTypeNotSupported;
        }
        var drafts = new List<MessageDraft>(messages.GetArrayLength());
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw ApiErrors.DocumentTypeNotSupported;
            }
            if (!message.TryGetProperty("body", out var body))
            {
                throw ApiErrors.BadBody("Missing \"body\" field.");
            }
            drafts.Add(new MessageDraft(body, OptionalInt(message, "ttl"), readDelay ? OptionalInt(message, "delay") : null));
        }
        return drafts;
    }

    /// <summary>Reads an optional <c>{"ttl":..., "grace":...}</c> of a claim request; null document = defaults.</summary>
    public static (int? Ttl, int? Grace) Claim(JsonElement? document)
    {
        if (document is not { } doc)
        {
            return (null, null);
        }
        if (doc.ValueKind != JsonValueKind.Object)
        {
            throw ApiErrors.DocumentTypeNotSupported;
        }
        return (OptionalInt(doc, "ttl"), OptionalInt(doc, "grace"));
    }

    /// <summary>Reads the <c>{"ttl":..., "grace":...}</c> of a claim update: unlike a create, it needs a document.</summary>
    public static (int? Ttl, int? Grace) ClaimUpdate(JsonElement? document) =>
        document is null ? throw ApiErrors.BadBody("Request body can not be empty") : Claim(document);

    /// <summary>An integer field, or null when absent; 400 when present with another type.</summary>
    public static int? OptionalInt(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }
        if (!JsonInput.IsInteger(value, out var n))
        {
            throw ApiErrors.BadBody($"The value of the \"{name}\" field must be a int.");
        }
        // Out-of-range values fail the range checks later with the field's own message.
        return (int)Math.Clamp(n, int.MinValue, int.MaxValue);
    }
}
