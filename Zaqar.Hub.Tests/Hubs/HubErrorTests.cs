using System.Text.Json.Nodes;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Hubs;

/// <summary>
/// A client mistake over the hub gets the Zaqar error REST gives for the same mistake (status, title, description),
/// never SignalR's bare "An unexpected error occurred".
/// </summary>
public sealed class HubErrorTests(ZaqarTestServer server)
{
    private const string Unknown = "00000000-0000-0009-0000-000000000000";

    /// <summary>The same mistake made over the hub and over REST.</summary>
    private sealed record Mistake(string Name, Func<HubClient, Task> Hub, Func<ZaqarClient, Task<ZaqarClient.Response>> Rest);

    private static readonly Mistake[] Mistakes =
    [
        new("invalid queue name",
            h => h.InvokeAsync("PostMessages", "bad~name", new[] { new { body = 1 } }),
            r => r.PostAsync("/v2/queues/bad~name/messages", new { messages = new[] { new { body = 1 } } })),
        new("message without a body",
            h => h.InvokeAsync("PostMessages", "q", new[] { new { ttl = 60 } }),
            r => r.PostAsync("/v2/queues/q/messages", new { messages = new[] { new { ttl = 60 } } })),
        new("message ttl below the minimum",
            h => h.InvokeAsync("PostMessages", "q", new[] { new { body = 1, ttl = 10 } }),
            r => r.PostAsync("/v2/queues/q/messages", new { messages = new[] { new { body = 1, ttl = 10 } } })),
        new("no messages to post",
            h => h.InvokeAsync("PostMessages", "q", Array.Empty<object>()),
            r => r.PostAsync("/v2/queues/q/messages", new { messages = Array.Empty<object>() })),
        new("message list limit too high",
            h => h.InvokeAsync("ListMessages", "q", new { limit = 100 }),
            r => r.GetAsync("/v2/queues/q/messages?limit=100")),
        new("message list marker that is no id",
            h => h.InvokeAsync("ListMessages", "q", new { marker = "nope" }),
            r => r.GetAsync("/v2/queues/q/messages?marker=nope")),
        new("unknown message",
            h => h.InvokeAsync("GetMessage", "q", Unknown),
            r => r.GetAsync($"/v2/queues/q/messages/{Unknown}")),
        new("unknown messages by id",
            h => h.InvokeAsync("GetMessages", "q", new[] { Unknown }),
            r => r.GetAsync($"/v2/queues/q/messages?ids={Unknown}")),
        new("bulk delete without ids",
            h => h.InvokeAsync("DeleteMessages", "q", null, null),
            r => r.DeleteAsync("/v2/queues/q/messages")),
        new("pop count too high",
            h => h.InvokeAsync("PopMessages", "q", 100),
            r => r.DeleteAsync("/v2/queues/q/messages?pop=100")),
        new("claim limit too high",
            h => h.InvokeAsync("CreateClaim", "q", new { limit = 100 }),
            r => r.PostAsync("/v2/queues/q/claims?limit=100", new { })),
        new("claim ttl too long",
            h => h.InvokeAsync("CreateClaim", "q", new { ttl = 999_999 }),
            r => r.PostAsync("/v2/queues/q/claims", new { ttl = 999_999 })),
        new("unknown claim",
            h => h.InvokeAsync("GetClaim", "q", Unknown),
            r => r.GetAsync($"/v2/queues/q/claims/{Unknown}")),
        new("renewing an unknown claim",
            h => h.InvokeAsync("UpdateClaim", "q", Unknown, new { ttl = 60 }),
            r => r.PatchAsync($"/v2/queues/q/claims/{Unknown}", new { ttl = 60 }, "application/json")),
        new("queue metadata that is no object",
            h => h.InvokeAsync("CreateQueue", "q", new[] { 1, 2 }),
            r => r.PutAsync("/v2/queues/q", new[] { 1, 2 })),
        new("queue metadata with a bad reserved value",
            h => h.InvokeAsync("CreateQueue", "q", new { _default_message_ttl = 5 }),
            r => r.PutAsync("/v2/queues/q", new { _default_message_ttl = 5 })),
        new("metadata patch with an unknown op",
            h => h.InvokeAsync("UpdateQueueMetadata", "q", new[] { new { op = "move", path = "/metadata/a", value = 1 } }),
            r => r.PatchAsync("/v2/queues/q", new[] { new { op = "move", path = "/metadata/a", value = 1 } })),
        new("queue list limit of zero",
            h => h.InvokeAsync("ListQueues", new { limit = 0 }),
            r => r.GetAsync("/v2/queues?limit=0")),
        new("purging an unknown resource type",
            h => h.InvokeAsync("PurgeQueue", "q", new[] { "everything" }),
            r => r.PostAsync("/v2/queues/q/purge", new { resource_types = new[] { "everything" } })),
    ];

    [Theory, BothProtocols]
    public async Task EveryClientMistakeGetsRestsStatusTitleAndDescription(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        await rest.CreateQueueAsync("q");
        var mismatches = new List<string>();

        foreach (var mistake in Mistakes)
        {
            var restError = RestError(await mistake.Rest(rest));
            var failure = await Record.ExceptionAsync(() => mistake.Hub(hub));
            var hubError = (failure as HubException)?.ZaqarError;
            if (hubError != restError)
            {
                mismatches.Add($"{mistake.Name}: REST {restError}, hub {hubError?.ToString() ?? failure?.Message ?? "no error"}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
    }

    [Theory, BothProtocols]
    public async Task MissingArgumentsGetAZaqarErrorNotAnUnexpectedOne(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);
        Func<Task>[] calls =
        [
            () => hub.InvokeAsync("CreateQueue", null, null),
            () => hub.InvokeAsync("GetQueue", (object?)null),
            () => hub.InvokeAsync("GetQueueStats", (object?)null),
            () => hub.InvokeAsync("UpdateQueueMetadata", null, new object[0]),
            () => hub.InvokeAsync("PostMessages", null, new[] { new { body = 1 } }),
            () => hub.InvokeAsync("GetMessage", null, Unknown),
            () => hub.InvokeAsync("CreateClaim", null, null),
            () => hub.InvokeAsync("Subscribe", (object?)null),
        ];
        foreach (var call in calls)
        {
            var error = await ZaqarErrorAsync(call);
            Assert.Equal((400, "Invalid queue identification"), (error.Status, error.Title));
        }

        var noIds = await ZaqarErrorAsync(() => hub.InvokeAsync("GetMessages", "q", null));
        Assert.Equal((400, "Missing parameter"), (noIds.Status, noIds.Title));
        var noPatch = await ZaqarErrorAsync(() => hub.InvokeAsync("UpdateQueueMetadata", "q", null));
        Assert.Equal(RestError(await rest.PatchAsync("/v2/queues/q", "null")), noPatch);
        var noMessage = await ZaqarErrorAsync(() => hub.InvokeAsync("GetMessage", "q", null));
        Assert.Equal(404, noMessage.Status);
    }

    [Theory, BothProtocols]
    public async Task AZaqarErrorTextIsTheErrorAloneWithoutSignalRsUnexpectedErrorSentence(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);

        var call = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("CreateClaim", "q", new { limit = 100 }));
        var stream = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in hub.StreamAsync<JsonNode>("Consume", "bad~name", null))
            {
            }
        });

        Assert.Equal(
            """HubException: {"status":400,"title":"Invalid API request","description":"Limit must be at least 1 and may not be greater than 20."}""",
            call.ServerError);
        Assert.StartsWith("""HubException: {"status":400,""", stream.ServerError, StringComparison.Ordinal);
        Assert.Equal(400, stream.ZaqarError!.Status);
    }

    [Fact]
    public void OnlySignalRsSentenceBeforeAHubExceptionIsTakenOff()
    {
        static string? Plain(string error) =>
            ((Microsoft.AspNetCore.SignalR.Protocol.CompletionMessage)HubErrorTextProtocol.Plain(
                Microsoft.AspNetCore.SignalR.Protocol.CompletionMessage.WithError("1", error))).Error;

        Assert.Equal("HubException: {}", Plain("An unexpected error occurred invoking 'GetQueue' on the server. HubException: {}"));
        Assert.Equal("HubException: x", Plain("An error occurred on the server while streaming results. HubException: x"));
        // Other errors (binding failures, unknown methods, non-Hub exceptions) are SignalR's own and stay as they are.
        Assert.Equal("An unexpected error occurred invoking 'GetQueue' on the server.", Plain("An unexpected error occurred invoking 'GetQueue' on the server."));
        Assert.Equal("Failed to invoke 'X' due to an error on the server. HubException: y", Plain("Failed to invoke 'X' due to an error on the server. HubException: y"));
    }

    [Theory, BothProtocols]
    public async Task ArgumentsOfTheWrongShapeNameTheMethodThatCouldNotBind(HubWireProtocol protocol)
    {
        using var rest = server.NewProject();
        await using var hub = await server.Factory.ConnectHubAsync(protocol, rest);

        var failure = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("PopMessages", "q", "five"));
        var unknown = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("NoSuchMethod"));

        Assert.StartsWith("Failed to invoke 'PopMessages'", failure.ServerError, StringComparison.Ordinal);
        Assert.StartsWith("Failed to invoke 'NoSuchMethod'", unknown.ServerError, StringComparison.Ordinal);
        Assert.True(await hub.InvokeAsync<bool>("Ping"), "the connection serves on after a binding failure");
    }

    [Fact]
    public void ZaqarErrorsParseFromTheHubExceptionText()
    {
        // The text as it reaches clients, and as SignalR itself would word it (clients of either parse the same).
        const string text = """HubException: {"status":404,"title":"Not found","description":"gone"}""";
        Assert.Equal(new ZaqarHubError(404, "Not found", "gone"), ZaqarHubError.TryParse("An unexpected error occurred invoking 'GetMessage' on the server. " + text));

        Assert.Equal(new ZaqarHubError(404, "Not found", "gone"), ZaqarHubError.TryParse(text));
        Assert.Null(ZaqarHubError.TryParse("An unexpected error occurred invoking 'GetMessage' on the server."));
        Assert.Null(ZaqarHubError.TryParse("HubException: not json"));
        Assert.Equal(JsonNode.Parse("""{"a":1}""")!.ToJsonString(), Canonical("""{ "a" : 1 }"""));
    }
}
