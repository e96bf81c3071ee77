using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Zaqar.Hub.Api;
using Zaqar.Serialization;

namespace Zaqar.Hub.Hubs;

/// <summary>
/// Refuses what the official .NET client's MessagePack protocol makes of System.Text.Json values when Zaqar's formatters
/// are not added to it (issue 11): a JsonElement arrives as <c>{}</c> and a JsonNode as <c>{"Options":null}</c>, whatever
/// they held. Stored, the body would be lost without a word; refused, the caller learns how to send it.
/// </summary>
/// <remarks>
/// Only connections of that client (its User-Agent) over MessagePack that do not announce Zaqar's formatters
/// (<see cref="ZaqarMessagePack.FormattersHeader"/>) are checked, and only the JSON values they send (message bodies,
/// metadata, subscription options): REST, the JSON protocol and the JS client may post <c>{}</c> as they please.
/// Singleton; thread-safe.
/// </remarks>
internal sealed class PlainClientFilter(TrackingHubLifetimeManager connections) : IHubFilter
{
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (IsPlainDotNetMessagePack(context.Context))
        {
            foreach (var (value, what) in JsonValues(context.HubMethodName, context.HubMethodArguments))
            {
                Check(value, what);
            }
        }
        return next(context);
    }

    private bool IsPlainDotNetMessagePack(HubCallerContext caller)
    {
        var feature = caller.Features.Get<HubConnectionFeature>();
        if (feature?.PlainDotNetMessagePack is { } known)
        {
            return known;
        }
        var request = caller.GetHttpContext()?.Request;
        var plain = connections.Find(caller.ConnectionId)?.Protocol.Name == "messagepack" &&
            request is not null &&
            request.Headers.UserAgent.ToString() is var agent &&
            agent.StartsWith("Microsoft SignalR/", StringComparison.Ordinal) && agent.Contains("; .NET; ", StringComparison.Ordinal) &&
            !request.Headers.ContainsKey(ZaqarMessagePack.FormattersHeader);
        if (feature is not null)
        {
            feature.PlainDotNetMessagePack = plain;
        }
        return plain;
    }

    private static IEnumerable<(JsonElement Value, string What)> JsonValues(string method, IReadOnlyList<object?> args) => method switch
    {
        "PostMessages" or "PostTopicMessages" when args[1] is MessageArgs[] batch => batch.Select(m => (m.Body, "A message body")),
        "CreateQueue" or "CreateTopic" when args[1] is JsonElement metadata => [(metadata, "The metadata")],
        "CreateSubscription" or "UpdateSubscription" when args[^1] is SubscriptionArgs { Options: { } options } => [(options, "The options")],
        _ => [],
    };

    private static void Check(JsonElement value, string what)
    {
        if (value.ValueKind == JsonValueKind.Object && (value.GetPropertyCount() == 0 || IsJsonNodeShape(value)))
        {
            throw ApiErrors.BadBody(
                $"{what} arrived as {value.GetRawText()}: that is how the .NET client's MessagePack protocol writes a JsonElement ({{}}) " +
                "or a JsonNode ({\"Options\":null}) without Zaqar's formatters. Add them to the connection (AddZaqarMessagePackProtocol() " +
                "of Zaqar.Client), or use Zaqar.Client's ZaqarHubClient; it was not stored.");
        }
    }

    /// <summary>MessagePack-CSharp's contractless form of a JsonNode: its Options property, and nothing of its content.</summary>
    private static bool IsJsonNodeShape(JsonElement value) =>
        value.GetPropertyCount() == 1 && value.TryGetProperty("Options", out var options) &&
        (options.ValueKind == JsonValueKind.Null ||
         (options.ValueKind == JsonValueKind.Object && options.EnumerateObject().All(p => p.Name == "PropertyNameCaseInsensitive")));
}
