using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Rest;

/// <summary>Next links, query booleans and integers (zaqar-v2-api.md section 1.5).</summary>
public sealed class PaginationTests(ZaqarTestServer server)
{
    [Fact]
    public async Task EveryNonEmptyQueuePageLinksToTheNextWithTheCallersParametersAndTheLastNameAsMarker()
    {
        using var client = server.NewProject();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await client.CreateQueueAsync(name);
        }

        var first = await client.GetAsync("/v2/queues?limit=2&detailed=true");
        var next = first.Json!["links"]!.AsArray().Single()!;
        var second = await client.GetAsync(next["href"]!.GetValue<string>());
        var last = await client.GetAsync(second.Json!["links"]![0]!["href"]!.GetValue<string>());

        Assert.Equal("next", next["rel"]!.GetValue<string>());
        var href = new Uri("http://x" + next["href"]!.GetValue<string>());
        Assert.Equal("/v2/queues", href.AbsolutePath);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(href.Query);
        Assert.Equal("2", query["limit"]);
        Assert.Equal("true", query["detailed"]);
        Assert.Equal("b", query["marker"]);
        Assert.Equal(["a", "b"], first.Json["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
        // The last page still links on; the page after it is empty and links nowhere.
        Assert.Equal(["c"], second.Json["queues"]!.AsArray().Select(q => q!["name"]!.GetValue<string>()));
        Assert.NotNull(second.Json["queues"]![0]!["metadata"]);
        Assert.Empty(last.Json!["queues"]!.AsArray());
        Assert.Empty(last.Json["links"]!.AsArray());
    }

    [Fact]
    public async Task EveryNonEmptyMessagePageLinksToTheNextWithTheLastIdAsMarker()
    {
        using var client = server.NewProject();
        var ids = await client.PostMessagesAsync("paged", 1, 2, 3);

        var first = await client.GetAsync("/v2/queues/paged/messages?limit=2&echo=true");
        var href = first.Json!["links"]![0]!["href"]!.GetValue<string>();
        var second = await client.GetAsync(href);
        var third = await client.GetAsync(second.Json!["links"]![0]!["href"]!.GetValue<string>());

        Assert.StartsWith("/v2/queues/paged/messages?", href, StringComparison.Ordinal);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri("http://x" + href).Query);
        Assert.Equal(ids[1], query["marker"]);
        Assert.Equal("2", query["limit"]);
        Assert.Equal("true", query["echo"]);
        Assert.Equal(ids[..2], first.Ids());
        Assert.Equal([ids[2]], second.Ids());
        Assert.Empty(third.Ids());
        Assert.Empty(third.Json!["links"]!.AsArray());
    }

    [Fact]
    public async Task AnEmptyPageHasNoLinks()
    {
        using var client = server.NewProject();

        var queues = await client.GetAsync("/v2/queues");
        var messages = await client.GetAsync("/v2/queues/none/messages");

        Assert.Equal("""{"queues":[],"links":[]}""", queues.Text);
        Assert.Equal("""{"messages":[],"links":[]}""", messages.Text);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("True")]
    [InlineData("t")]
    [InlineData("yes")]
    [InlineData("y")]
    [InlineData("1")]
    [InlineData("on")]
    public async Task BooleanParametersAcceptEveryTrueSpelling(string spelling)
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("bools", "mine");

        var listing = await client.GetAsync($"/v2/queues/bools/messages?echo={spelling}");

        Assert.Single(listing.Ids());
    }

    [Theory]
    [InlineData("false")]
    [InlineData("False")]
    [InlineData("f")]
    [InlineData("no")]
    [InlineData("n")]
    [InlineData("0")]
    [InlineData("off")]
    public async Task BooleanParametersAcceptEveryFalseSpelling(string spelling)
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("bools", "mine");

        var listing = await client.GetAsync($"/v2/queues/bools/messages?echo={spelling}");

        Assert.Empty(listing.Ids());
    }

    [Theory]
    [InlineData("/v2/queues/q/messages?echo=TRUE", "echo")]
    [InlineData("/v2/queues/q/messages?include_claimed=maybe", "include_claimed")]
    [InlineData("/v2/queues/q/messages?include_delayed=2", "include_delayed")]
    [InlineData("/v2/queues?detailed=yes%20please", "detailed")]
    [InlineData("/v2/queues?with_count=Yes", "with_count")]
    public async Task AnyOtherBooleanSpellingIsAnInvalidParameter(string path, string name)
    {
        using var client = server.NewProject();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Invalid parameter", response.Title);
        Assert.Equal($"The \"{name}\" parameter is invalid. The value of the parameter must be \"true\" or \"false\".", response.Description);
    }

    [Theory]
    [InlineData("GET", "/v2/queues?limit=ten", "limit")]
    [InlineData("GET", "/v2/queues/q/messages?limit=1.5", "limit")]
    [InlineData("POST", "/v2/queues/q/claims?limit=x", "limit")]
    [InlineData("DELETE", "/v2/queues/q/messages?pop=all", "pop")]
    public async Task ANonIntegerNumberParameterIsAnInvalidParameter(string method, string path, string name)
    {
        using var client = server.NewProject();

        var response = await client.SendAsync(new HttpMethod(method), path);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("Invalid parameter", response.Title);
        Assert.Equal($"The \"{name}\" parameter is invalid. The value must be an integer.", response.Description);
    }

    [Fact]
    public async Task BlankParametersCountAsAbsent()
    {
        using var client = server.NewProject();
        await client.PostMessagesAsync("blank", Enumerable.Range(0, 12).Cast<object>().ToArray());

        var listing = await client.GetAsync("/v2/queues/blank/messages?limit=&echo=true&marker=");

        Assert.Equal(10, listing.Ids().Count);
    }
}
