using System.Net;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>
/// Issue 10, item 4, over REST: each input the issue saw answering 500 or 503 is a 400 with Zaqar's error body and
/// nothing written, at every entry that takes JSON (message bodies, queue and topic metadata on create and PATCH,
/// subscription options) and in the query strings that reach SQL.
/// </summary>
public sealed class Issue10RestEntryTests(ZaqarTestServer server)
{
    private const string Title = "Invalid request body";

    public static TheoryData<string, string> RefusedValues => new()
    {
        { "\"\\ud800\"", "unpaired surrogate" },
        { "\"x\\udc00\\ud800y\"", "unpaired surrogate" },
        { "{\"\\ud800\":1}", "unpaired surrogate" },
        { "{\"a\":{\"\\udc00\\ud800\":1}}", "unpaired surrogate" },
        { "\"\\u0000\"", "NUL" },
        { "{\"k\\u0000\":1}", "NUL" },
        { "{\"k\":1,\"k\":2}", "duplicate key" },
        { "{\"k\":1,\"\\u006b\":2}", "duplicate key" },
        { "[{\"a\":[{\"\":1,\"\":2}]}]", "duplicate key" },
        { "18446744073709551616", "integer that is too large" },
        { "-9223372036854775809", "integer that is too large" },
        { "1e400", "number that is too large" },
        { "-1.8e308", "number that is too large" },
    };

    [Theory, MemberData(nameof(RefusedValues))]
    public async Task Issue10AMessageBodyBreakingTheRuleIsRefusedWithNothingWritten(string body, string reason)
    {
        using var client = server.NewProject();

        var posted = await client.PostAsync("/v2/queues/q/messages", $$"""{"messages":[{"body":"good"},{"body":{{body}}}]}""");

        posted.AssertError(HttpStatusCode.BadRequest, Title, reason);
        await AssertNothingWrittenAsync(client);
    }

    [Theory, MemberData(nameof(RefusedValues))]
    public async Task Issue10QueueAndTopicMetadataBreakingTheRuleIsRefusedOnCreateAndPatch(string value, string reason)
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("kept", new { k = "v" });

        var created = await client.PutAsync("/v2/queues/q", $$"""{"x":{{value}}}""");
        var topic = await client.PutAsync("/v2/topics/t", $$"""{"x":{{value}}}""");
        var patched = await client.PatchAsync("/v2/queues/kept", $$"""[{"op":"add","path":"/metadata/x","value":{{value}}}]""");

        created.AssertError(HttpStatusCode.BadRequest, Title, reason);
        topic.AssertError(HttpStatusCode.BadRequest, Title, reason);
        patched.AssertError(HttpStatusCode.BadRequest, Title, reason);
        Assert.Equal("v", (await client.GetAsync("/v2/queues/kept")).Json!["k"]!.GetValue<string>());
        Assert.Equal(["kept"], (await client.GetAsync("/v2/queues")).Json!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
        Assert.Equal("""{"topics":[],"links":[]}""", (await client.GetAsync("/v2/topics")).Text);
    }

    [Theory, MemberData(nameof(RefusedValues))]
    public async Task Issue10SubscriptionOptionsBreakingTheRuleAreRefusedWithNoSubscriptionMade(string value, string reason)
    {
        using var client = server.NewProject();

        var subscribed = await client.PostAsync("/v2/queues/q/subscriptions", $$$"""{"subscriber":"http://example.com/h","options":{"x":{{{value}}}}}""");

        subscribed.AssertError(HttpStatusCode.BadRequest, Title, reason);
        Assert.Empty((await client.GetAsync("/v2/queues/q/subscriptions")).Json!["subscriptions"]!.AsArray());
        await AssertNothingWrittenAsync(client);
    }

    [Fact]
    public async Task Issue10MetadataAndSubscriptionOptionsNested100LevelsAreRefused()
    {
        using var client = server.NewProject();
        var deep = new string('[', 100) + new string(']', 100);

        var created = await client.PutAsync("/v2/queues/q", $$"""{"x":{{deep}}}""");
        var subscribed = await client.PostAsync("/v2/queues/q/subscriptions", $$$"""{"subscriber":"http://example.com/h","options":{"x":{{{deep}}}}}""");

        created.AssertError(HttpStatusCode.BadRequest, Title, "nested too deeply");
        subscribed.AssertError(HttpStatusCode.BadRequest, Title, "nested too deeply");
        await AssertNothingWrittenAsync(client);
    }

    [Fact]
    public async Task Issue10MetadataMayNestToTheLimitCountingTheMetadataObjectAndPatchValuesOneLevelLess()
    {
        using var client = server.NewProject();
        string Nested(int depth) => new string('[', depth) + new string(']', depth);
        await client.CreateQueueAsync("q", $$"""{"x":{{Nested(31)}}}""");

        var tooDeep = await client.PutAsync("/v2/queues/r", $$"""{"x":{{Nested(32)}}}""");
        var patched = await client.PatchAsync("/v2/queues/q", $$"""[{"op":"add","path":"/metadata/y","value":{{Nested(31)}}}]""");
        var patchTooDeep = await client.PatchAsync("/v2/queues/q", $$"""[{"op":"add","path":"/metadata/z","value":{{Nested(32)}}}]""");

        tooDeep.AssertError(HttpStatusCode.BadRequest, Title, "nested too deeply");
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        patchTooDeep.AssertError(HttpStatusCode.BadRequest, Title, "nested too deeply");
        var metadata = (await client.GetAsync("/v2/queues/q")).Json!;
        Assert.Equal((Nested(31), Nested(31), null), (metadata["x"]!.ToJsonString(), metadata["y"]!.ToJsonString(), metadata["z"]));
    }

    [Theory]
    [InlineData("/metadata/k\\u0000", "NUL")]
    [InlineData("/metadata/\\ud800", "unpaired surrogate")]
    [InlineData("/metadata\\u0000/k", "NUL")]
    public async Task Issue10APatchPathThatIsNotAcceptableTextIsRefusedAndChangesNothing(string path, string reason)
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { k = 1 });

        var patched = await client.PatchAsync("/v2/queues/q", $$"""[{"op":"add","path":"{{path}}","value":1}]""");
        var removed = await client.PatchAsync("/v2/queues/q", $$"""[{"op":"remove","path":"{{path}}"}]""");

        patched.AssertError(HttpStatusCode.BadRequest, Title, reason);
        removed.AssertError(HttpStatusCode.BadRequest, Title, reason);
        Assert.Equal(1, (await client.GetAsync("/v2/queues/q")).Json!["k"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("name=%00", "name")]
    [InlineData("name=a%00b&detailed=true", "name")]
    [InlineData("marker=%00", "marker")]
    [InlineData("color=%00", "color")]
    [InlineData("c%00lor=red", "c\u0000lor")]
    [InlineData("name=%00&with_count=true", "name")]
    public async Task Issue10AQueryStringWithNulIsRefusedAsAnInvalidParameterOnQueueAndTopicListings(string query, string parameter)
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q");

        foreach (var collection in new[] { "queues", "topics" })
        {
            var listed = await client.GetAsync($"/v2/{collection}?{query}");

            listed.AssertError(HttpStatusCode.BadRequest, "Invalid parameter", $"The \"{parameter}\" parameter is invalid.");
        }
    }

    [Fact]
    public async Task Issue10EmptyKeysAndEdgeOfRangeNumbersAreAcceptedAndReadBackAsSent()
    {
        using var client = server.NewProject();
        const string body = """{"":{"":[""]},"max":9223372036854775807,"min":-9223372036854775808,"big":1.7976931348623157e308,"tiny":5e-324,"under":1e-400,"pair":"\ud83d\ude00","nonchar":"\uffff"}""";

        await Issue10PoisonMessageTests.PostTextAsync(client, "q", body);

        var listed = await client.GetAsync("/v2/queues/q/messages?echo=true");
        Assert.Contains(
            "\"max\":9223372036854775807,\"min\":-9223372036854775808,\"big\":1.7976931348623157e308,\"tiny\":5e-324,\"under\":1e-400",
            listed.Text, StringComparison.Ordinal);
        var read = listed.Json!["messages"]![0]!["body"]!;
        Assert.Equal(("", "😀", "\uffff"), (read[""]![""]![0]!.GetValue<string>(), read["pair"]!.GetValue<string>(), read["nonchar"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Issue10MetadataNumbersAreStoredAsPlainDecimalsSoAReadMetadataDocumentCanBeWrittenBack()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", """{"hundred":1e2,"huge":1e19,"half":2.50,"small":1.5e-7,"negzero":-0.0,"int":-0,"":"empty"}""");

        var read = await client.GetAsync("/v2/queues/q");
        var again = await client.PutAsync("/v2/queues/r", read.Text);

        var metadata = read.Json!;
        Assert.Equal(
            ["100.0", "10000000000000000000.0", "2.5", "0.00000015", "0.0", "0", "\"empty\""],
            new[] { "hundred", "huge", "half", "small", "negzero", "int", "" }.Select(k => metadata[k]!.ToJsonString()));
        Assert.Equal(HttpStatusCode.Created, again.Status);
    }

    /// <summary>Neither a queue nor a topic nor a message of the project exists.</summary>
    private static async Task AssertNothingWrittenAsync(ZaqarClient client)
    {
        Assert.Equal(0, await client.TotalAsync("q"));
        Assert.Equal("""{"queues":[],"links":[]}""", (await client.GetAsync("/v2/queues")).Text);
    }
}
