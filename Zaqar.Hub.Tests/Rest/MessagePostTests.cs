using System.Net;
using System.Text;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>POST /v2/queues/{q}/messages (zaqar-v2-api.md section 3.1). A failed post never writes anything.</summary>
public sealed class MessagePostTests(ZaqarTestServer server)
{
    private async Task<ZaqarClient.Response> PostRejectedAsync(ZaqarClient client, string body, string queue = "q")
    {
        var response = await client.PostAsync($"/v2/queues/{queue}/messages", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(0, await client.TotalAsync(queue));
        return response;
    }

    [Fact]
    public async Task PostAnswersCreatedWithTheIdsInLocationAndTheResourcesInPostingOrder()
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/messages", new { messages = new[] { new { body = 1 }, new { body = 2 }, new { body = 3 } } });

        Assert.Equal(HttpStatusCode.Created, response.Status);
        var resources = response.Json!["resources"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        var ids = resources.Select(r => r["/v2/queues/q/messages/".Length..]).ToList();
        Assert.All(resources, r => Assert.StartsWith("/v2/queues/q/messages/", r, StringComparison.Ordinal));
        Assert.Equal("/v2/queues/q/messages?ids=" + string.Join(",", ids), response.Location);
        Assert.Equal(["resources"], response.Json.AsObject().Select(p => p.Key));
        var listed = await client.GetAsync("/v2/queues/q/messages?echo=true");
        Assert.Equal(ids, listed.Ids());
        Assert.Equal([1, 2, 3], listed.Json!["messages"]!.AsArray().Select(m => m!["body"]!.GetValue<int>()));
    }

    [Fact]
    public async Task PostingToAMissingQueueCreatesIt()
    {
        using var client = server.NewProject();

        await client.PostMessagesAsync("lazy", "x");

        var names = (await client.GetAsync("/v2/queues")).Json!["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>());
        Assert.Equal(["lazy"], names);
    }

    [Theory]
    [InlineData("""{"z":1,"a":[1,2.50,{"m":null}],"é":"ü","q":"say \"hi\""}""")]
    [InlineData("""[3,"x",{"k":true},[]]""")]
    [InlineData("\"just text\"")]
    [InlineData("42")]
    [InlineData("-1.5e3")]
    [InlineData("9223372036854775807")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("null")]
    [InlineData("{}")]
    public async Task BodiesOfAnyJsonValueComeBackAsTheSameText(string body)
    {
        using var client = server.NewProject();
        var posted = await client.PostAsync("/v2/queues/q/messages", $$"""{"messages":[{"body":{{body}},"ttl":300}]}""");
        var href = posted.Json!["resources"]![0]!.GetValue<string>();

        var fetched = await client.GetAsync(href);
        var listed = await client.GetAsync("/v2/queues/q/messages?echo=true");

        Assert.Equal(HttpStatusCode.Created, posted.Status);
        Assert.EndsWith($"\"body\":{body}}}", fetched.Text, StringComparison.Ordinal);
        Assert.Contains($"\"body\":{body}}}", listed.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExtraFieldsOfAMessageAreDropped()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("q", "x");
        await client.PostAsync("/v2/queues/q/messages", """{"messages":[{"body":"y","color":"red"}]}""");

        var listed = await client.GetAsync("/v2/queues/q/messages?echo=true");

        Assert.All(listed.Json!["messages"]!.AsArray(),
            m => Assert.Equal(["id", "href", "ttl", "age", "body"], m!.AsObject().Select(p => p.Key)));
        Assert.Equal(2, listed.Ids().Count);
        Assert.Equal(ids[0], listed.Ids()[0]);
    }

    [Fact]
    public async Task TtlDefaultsToTheQueuesDefaultElseTheServicesDefault()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("short", new { _default_message_ttl = 120 });
        await client.PostMessagesAsync("short", "a");
        await client.PostMessagesAsync("plain", "a");
        await client.PostAsync("/v2/queues/short/messages", """{"messages":[{"body":"b","ttl":600}]}""");

        var shortQueue = await client.GetAsync("/v2/queues/short/messages?echo=true");
        var plain = await client.GetAsync("/v2/queues/plain/messages?echo=true");

        Assert.Equal([120, 600], shortQueue.Json!["messages"]!.AsArray().Select(m => m!["ttl"]!.GetValue<int>()));
        Assert.Equal(3600, plain.Json!["messages"]![0]!["ttl"]!.GetValue<int>());
    }

    [Fact]
    public async Task AMissingOrEmptyRequestBodyIsRejected()
    {
        using var client = server.NewProject();

        var missing = await client.PostAsync("/v2/queues/q/messages");
        var empty = await PostRejectedAsync(client, string.Empty);

        missing.AssertError(HttpStatusCode.BadRequest, "Invalid request body");
        empty.AssertError(HttpStatusCode.BadRequest, "Invalid request body");
    }

    [Theory]
    [InlineData("""{"other":[{"body":1}]}""")]
    [InlineData("""[{"body":1}]""")]
    public async Task ADocumentWithoutMessagesIsRejected(string body)
    {
        using var client = server.NewProject();

        var response = await PostRejectedAsync(client, body);

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal("No messages were found in the request body.", response.Description);
    }

    [Fact]
    public async Task AnEmptyListOfMessagesIsRejected()
    {
        using var client = server.NewProject();

        var response = await PostRejectedAsync(client, """{"messages":[]}""");

        response.AssertError(HttpStatusCode.BadRequest, "Invalid API request");
        Assert.Equal("No messages to enqueu.", response.Description);
    }

    [Theory]
    [InlineData("""{"messages":{"body":1}}""")]
    [InlineData("""{"messages":"body"}""")]
    [InlineData("""{"messages":[1]}""")]
    [InlineData("""{"messages":[{"body":1},"x"]}""")]
    [InlineData("\"messages\"")]
    public async Task MessagesThatAreNotAListOfObjectsAreADocumentTypeNotSupported(string body)
    {
        using var client = server.NewProject();

        var response = await PostRejectedAsync(client, body);

        Assert.Equal("Invalid request body", response.Title);
        if (body.StartsWith('{'))
        {
            Assert.Equal("Document type not supported.", response.Description);
        }
    }

    [Fact]
    public async Task AMessageWithoutABodyIsRejectedAndNoneOfItsBatchIsWritten()
    {
        using var client = server.NewProject();

        var response = await PostRejectedAsync(client, """{"messages":[{"body":1},{"ttl":60}]}""");

        Assert.Equal("Invalid request body", response.Title);
        Assert.Equal("Missing \"body\" field.", response.Description);
    }

    [Theory]
    [InlineData("\"60\"")]
    [InlineData("60.5")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("[60]")]
    public async Task ATtlThatIsNotAnIntegerIsRejected(string ttl)
    {
        using var client = server.NewProject();

        var response = await PostRejectedAsync(client, $$"""{"messages":[{"body":1},{"body":2,"ttl":{{ttl}}}]}""");

        Assert.Equal("Invalid request body", response.Title);
        Assert.Equal("The value of the \"ttl\" field must be a int.", response.Description);
    }

    [Theory]
    [InlineData(59)]
    [InlineData(1209601)]
    [InlineData(-60)]
    [InlineData(99999999999)]
    public async Task ATtlOutsideSixtySecondsToTwoWeeksIsRejected(long ttl)
    {
        using var client = server.NewProject();

        var response = await PostRejectedAsync(client, $$"""{"messages":[{"body":1},{"body":2,"ttl":{{ttl}}}]}""");

        Assert.Equal("Invalid API request", response.Title);
        Assert.Equal("The TTL for a message may not exceed 1209600 seconds, and must be at least 60 seconds long.", response.Description);
    }

    [Fact]
    public async Task TtlsAtTheLimitsAreAccepted()
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/messages", """{"messages":[{"body":1,"ttl":60},{"body":2,"ttl":1209600}]}""");

        Assert.Equal(HttpStatusCode.Created, response.Status);
    }

    [Fact]
    public async Task APostOfUpTo262144BytesIsAcceptedAndLargerIsRejected()
    {
        using var client = server.NewProject();
        const string Frame = """{"messages":[{"body":""}]}""";
        var atLimit = Frame.Insert(22, new string('x', 262144 - Frame.Length));

        var accepted = await client.PostAsync("/v2/queues/big/messages", atLimit);
        var rejected = await PostRejectedAsync(client, atLimit.Insert(22, "x"));

        Assert.Equal(HttpStatusCode.Created, accepted.Status);
        Assert.Equal("Invalid API request", rejected.Title);
        Assert.Equal("Message collection size is too large. Max size 262144", rejected.Description);
    }

    [Fact]
    public async Task AQueuesMaxPostSizeLowersTheLimit()
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { _max_messages_post_size = 100 });
        const string Frame = """{"messages":[{"body":""}]}""";
        var atLimit = Frame.Insert(22, new string('x', 100 - Frame.Length));

        var rejected = await PostRejectedAsync(client, atLimit.Insert(22, "x"));
        var accepted = await client.PostAsync("/v2/queues/q/messages", atLimit);

        Assert.Equal("Invalid API request", rejected.Title);
        Assert.Equal(
            "Message collection size is too large. The max size for current queue is 100. It is calculated by max size = " +
            "min(max_messages_post_size_config: 262144, max_messages_post_size_queue: 100).", rejected.Description);
        Assert.Equal(HttpStatusCode.Created, accepted.Status);
    }

    [Theory]
    [InlineData("""{"messages":[{"body":1}""", "Request body could not be parsed.")]
    [InlineData("""{"messages":[{"body":'x'}]}""", "Request body could not be parsed.")]
    [InlineData("""{"messages":[{"body":9223372036854775808}]}""", "JSON contains integer that is too large.")]
    [InlineData("""{"messages":[{"body":[-9223372036854775809]}]}""", "JSON contains integer that is too large.")]
    [InlineData("""{"messages":[{"body":1,"ttl":100000000000000000000}]}""", "JSON contains integer that is too large.")]
    public async Task MalformedJsonIsRejected(string body, string description)
    {
        using var client = server.NewProject();

        var response = await PostRejectedAsync(client, body);

        Assert.Equal("Invalid request body", response.Title);
        Assert.Equal(description, response.Description);
    }

    [Fact]
    public async Task InvalidUtf8IsMalformedJson()
    {
        using var client = server.NewProject();
        var bytes = Encoding.UTF8.GetBytes("""{"messages":[{"body":"?"}]}""");
        bytes[Array.IndexOf(bytes, (byte)'?')] = 0xff;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.Http.PostAsync("/v2/queues/q/messages", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Request body could not be parsed.", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken),
            StringComparison.Ordinal);
        Assert.Equal(0, await client.TotalAsync("q"));
    }

    [Fact]
    public async Task DelayIsIgnoredOnAQueueWithoutADefaultDelay()
    {
        using var client = server.NewProject();

        var response = await client.PostAsync("/v2/queues/q/messages", """{"messages":[{"body":1,"delay":"soon"},{"body":2,"delay":600}]}""");
        var listed = await client.GetAsync("/v2/queues/q/messages?echo=true");

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal(2, listed.Ids().Count);
    }

    [Theory]
    [InlineData("901", "Invalid API request", "The delay for a message may not exceed 900 seconds, and must be at least 0 seconds long.")]
    [InlineData("-1", "Invalid API request", "The delay for a message may not exceed 900 seconds, and must be at least 0 seconds long.")]
    [InlineData("\"5\"", "Invalid request body", "The value of the \"delay\" field must be a int.")]
    public async Task OnADelayedQueueTheDelayIsChecked(string delay, string title, string description)
    {
        using var client = server.NewProject();
        await client.CreateQueueAsync("q", new { _default_message_delay = 30 });

        var response = await PostRejectedAsync(client, $$"""{"messages":[{"body":1,"delay":{{delay}}}]}""");

        Assert.Equal(title, response.Title);
        Assert.Equal(description, response.Description);
    }
}
