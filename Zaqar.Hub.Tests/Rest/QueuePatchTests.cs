using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>PATCH of queue metadata with Zaqar's JSON-patch dialect (zaqar-v2-api.md section 2.2).</summary>
public sealed class QueuePatchTests(ZaqarTestServer server)
{
    private const string PatchType = "application/openstack-messaging-v2.0-json-patch";

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json-patch+json")]
    public async Task AnyOtherContentTypeIsUnsupportedAndNamesTheAcceptedOne(string contentType)
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q");

        var response = await client.PatchAsync("/v2/queues/q", """[{"op":"add","path":"/metadata/a","value":1}]""", contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.Status);
        Assert.Contains(PatchType, response.Title, StringComparison.Ordinal);
        Assert.Null(response.Description);
        Assert.Equal(PatchType, response.Headers["Accept-Patch"]);
    }

    [Fact]
    public async Task AddReplaceAndRemoveApplyInOrderAndTheFullMetadataComesBack()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { color = "blue", size = 1 });

        var response = await client.PatchAsync("/v2/queues/q", """
            [{"op":"add","path":"/metadata/shape","value":{"sides":4}},
             {"op":"replace","path":"/metadata/color","value":"red"},
             {"op":"remove","path":"/metadata/size"},
             {"op":"add","path":"/metadata/shape","value":"round"}]
            """);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var metadata = response.Json!.AsObject();
        Assert.Equal("red", metadata["color"]!.GetValue<string>());
        Assert.Equal("round", metadata["shape"]!.GetValue<string>());
        Assert.False(metadata.ContainsKey("size"));
        Assert.Equal(3600, metadata["_default_message_ttl"]!.GetValue<int>());
        Assert.Equal(response.Text, (await client.GetAsync("/v2/queues/q")).Text);
    }

    [Theory]
    [InlineData("replace", "Can't replace non-existent object color.")]
    [InlineData("remove", "Can't remove non-existent object color.")]
    public async Task ReplacingOrRemovingAMissingKeyIsAConflictAndChangesNothing(string op, string description)
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { size = 1 });
        var value = op == "remove" ? string.Empty : ",\"value\":\"red\"";

        var response = await client.PatchAsync("/v2/queues/q",
            $"[{{\"op\":\"add\",\"path\":\"/metadata/added\",\"value\":1}},{{\"op\":\"{op}\",\"path\":\"/metadata/color\"{value}}}]");

        response.AssertError(HttpStatusCode.Conflict, "Resource conflict");
        Assert.Equal(description, response.Description);
        Assert.False((await client.GetAsync("/v2/queues/q")).Json!.AsObject().ContainsKey("added"));
    }

    [Theory]
    [InlineData("replace")]
    [InlineData("remove")]
    public async Task ReservedKeysCountAsExistingEvenWhenUnset(string op)
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q");
        var value = op == "remove" ? string.Empty : ",\"value\":120";

        var response = await client.PatchAsync("/v2/queues/q", $"[{{\"op\":\"{op}\",\"path\":\"/metadata/_default_message_ttl\"{value}}}]");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(op == "remove" ? 3600 : 120, response.Json!["_default_message_ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task AnInvalidReservedValueIsRejectedAndNothingIsWritten()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { color = "blue" });

        var response = await client.PatchAsync("/v2/queues/q", """
            [{"op":"replace","path":"/metadata/color","value":"red"},{"op":"add","path":"/metadata/_default_message_ttl","value":30}]
            """);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid request body", "_default_message_ttl can not exceed");
        Assert.Equal("blue", (await client.GetAsync("/v2/queues/q")).Json!["color"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("metadata/key", "Pointer `metadata/key` does not start with \"/\".")]
    [InlineData("/metadata//key", "Pointer `/metadata//key` contains adjacent \"/\".")]
    [InlineData("/metadata/key/", "Pointer `/metadata/key/` end with \"/\".")]
    [InlineData("/metadata/k~2ey", "Pointer `/metadata/k~2ey` contains \"~\" not part of a recognized escape sequence.")]
    [InlineData("/metadata/key~", "Pointer `/metadata/key~` contains \"~\" not part of a recognized escape sequence.")]
    [InlineData("/metadata", "Invalid JSON pointer for this resource: '/metadata, e.g /metadata/key'")]
    [InlineData("/metadata/a/b", "Invalid JSON pointer for this resource: '/metadata/a/b, e.g /metadata/key'")]
    [InlineData("/meta/key", "The root of path must be metadata, e.g /metadata/key.")]
    public async Task MalformedJsonPointersAreRejected(string path, string description)
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q");

        var response = await client.PatchAsync("/v2/queues/q", $"[{{\"op\":\"add\",\"path\":\"{path}\",\"value\":1}}]");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Invalid request body", response.Title);
        Assert.Equal(description, response.Description);
    }

    [Fact]
    public async Task PointerEscapesNameKeysWithSlashesAndTildes()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q");

        var response = await client.PatchAsync("/v2/queues/q", """
            [{"op":"add","path":"/metadata/a~1b","value":1},{"op":"add","path":"/METADATA/c~0d","value":2}]
            """);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(1, response.Json!["a/b"]!.GetValue<int>());
        Assert.Equal(2, response.Json["c~d"]!.GetValue<int>());
    }

    [Fact]
    public async Task RemoveIgnoresThePathRootButStillNeedsTwoSegments()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { color = "blue" });

        var removed = await client.PatchAsync("/v2/queues/q", """[{"op":"remove","path":"/anything/color"}]""");
        var tooShort = await client.PatchAsync("/v2/queues/q", """[{"op":"remove","path":"/color"}]""");

        Assert.Equal(HttpStatusCode.OK, removed.Status);
        Assert.False(removed.Json!.AsObject().ContainsKey("color"));
        tooShort.AssertError(HttpStatusCode.BadRequest, "Invalid request body", "Invalid JSON pointer");
    }

    [Theory]
    [InlineData("""[{"path":"/metadata/a","value":1}]""",
        "Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.")]
    [InlineData("""[{"op":"move","path":"/metadata/a","value":1}]""",
        "Invalid operation: `move`. It must be one of the following: add, remove, replace.")]
    [InlineData("""[{"op":"add","value":1}]""", "Unable to find 'path' in JSON Schema change")]
    [InlineData("""[{"op":"add","path":"/metadata/a"}]""", "Operation \"add\" requires a member named \"value\".")]
    [InlineData("""[{"op":"replace","path":"/metadata/a"}]""", "Operation \"replace\" requires a member named \"value\".")]
    [InlineData("""{"op":"add","path":"/metadata/a","value":1}""", "Request body must be a JSON array of operation objects.")]
    [InlineData("""["add"]""", "Operations must be JSON objects.")]
    [InlineData("""[{"op":"add",""", "Request body could not be parsed.")]
    public async Task MalformedPatchDocumentsAreRejected(string body, string description)
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q");

        var response = await client.PatchAsync("/v2/queues/q", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Invalid request body", response.Title);
        Assert.Equal(description, response.Description);
    }

    [Fact]
    public async Task AnEmptyPatchBodyIsRejected()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q");

        var response = await client.PatchAsync("/v2/queues/q", string.Empty);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid request body");
    }

    [Fact]
    public async Task AnEmptyListOfOperationsChangesNothing()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { color = "blue" });

        var response = await client.PatchAsync("/v2/queues/q", "[]");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("blue", response.Json!["color"]!.GetValue<string>());
    }

    [Fact]
    public async Task PatchingAMissingQueueIsNotFound()
    {
        using var client = server.NewProject();

        var response = await client.PatchAsync("/v2/queues/missing", """[{"op":"add","path":"/metadata/a","value":1}]""");

        response.AssertError(HttpStatusCode.NotFound, "Not found");
        Assert.Empty((await client.GetAsync("/v2/queues")).Json!["queues"]!.AsArray());
    }

    [Fact]
    public async Task PatchingMetadataBeyond65536BytesIsRejected()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q");

        var response = await client.PatchAsync("/v2/queues/q",
            $"[{{\"op\":\"add\",\"path\":\"/metadata/big\",\"value\":\"{new string('x', 65536)}\"}}]");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("Queue metadata is too large. Max size: 65536", response.Description, StringComparison.Ordinal);
    }
}
