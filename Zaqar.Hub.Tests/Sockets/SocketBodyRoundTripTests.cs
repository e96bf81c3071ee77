using System.Text.Json.Nodes;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Sockets;

/// <summary>
/// Message bodies of every JSON kind round-trip exactly between Zaqar's websocket transport (JSON and MessagePack frames,
/// answers and pushes) and REST (issue 13): the transport reads frames into the same JSON values REST takes.
/// </summary>
public sealed class SocketBodyRoundTripTests(ZaqarTestServer server)
{
    private static readonly string[] Bodies =
    [
        """{"order":{"id":7,"items":["a","b"],"total":12.5,"paid":true,"note":null}}""",
        """[1,-2,9223372036854775807,-9223372036854775808,0.1,1.5E+300,[],{}]""",
        "\"Grüße, 世界, 🚀, \\\"quoted\\\", tab\\t\"",
        "\"\"",
        "-0.25",
        "true",
        "false",
        "null",
        """{"":"empty key","deep":{"a":{"b":{"c":{"d":[[[["x"]]]]}}}}}""",
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BodiesPostedOverTheSocketReadBackIdenticallyOverRestAndTheSocket(bool binary)
    {
        using var rest = server.Kestrel.NewProject();
        await using var client = await SocketTestClient.ConnectAsync(server.Kestrel.BaseUri, rest.Project);
        var messages = new JsonArray(Bodies.Select(b => (JsonNode)new JsonObject { ["body"] = JsonNode.Parse(b) }).ToArray());
        var posted = await client.CallAsync("message_post", new JsonObject { ["queue_name"] = "bodies", ["messages"] = messages }, binary);
        Assert.Equal(201, posted.Status());

        var overRest = (await rest.GetAsync("/v2/queues/bodies/messages?echo=true&limit=20")).Json!["messages"]!.AsArray();
        Assert.Equal(Bodies.Select(Canonical), overRest.Select(m => Canonical(m!["body"])));
        var overSocket = await client.CallAsync("message_list", new { queue_name = "bodies", echo = true, limit = 20 }, binary);
        Assert.Equal(Bodies.Select(Canonical), overSocket.Body()!["messages"]!.AsArray().Select(m => Canonical(m!["body"])));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BodiesPostedOverRestArePushedIdentically(bool binary)
    {
        using var rest = server.Kestrel.NewProject();
        await using var subscriber = await SocketTestClient.ConnectAsync(server.Kestrel.BaseUri, rest.Project);
        Assert.Equal(201, (await subscriber.CallAsync("subscription_create", new { queue_name = "bodies" }, binary)).Status());

        var ids = await rest.PostMessagesAsync("bodies", Bodies.Select(b => (object)JsonNode.Parse(b)!).ToArray());
        var pushed = new List<JsonNode>();
        foreach (var _ in Bodies)
        {
            pushed.Add(await subscriber.ReceiveJsonAsync(binary));
        }
        Assert.Equal(ids, pushed.Select(p => p["id"]!.GetValue<string>()));
        Assert.Equal(Bodies.Select(Canonical), pushed.Select(p => Canonical(p["body"])));
        Assert.All(pushed, p => Assert.Equal("Notification", p["Message_Type"]!.GetValue<string>()));
    }

    /// <summary>The compact JSON text of a value (null for JSON null), so equal values compare equal.</summary>
    private static string Canonical(string json) => Canonical(JsonNode.Parse(json));

    private static string Canonical(JsonNode? node) => node?.ToJsonString() ?? "null";
}
