using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Topics;

/// <summary>Helpers of the topic tests: the queue helpers' counterparts under /v2/topics.</summary>
internal static class TopicTestHelpers
{
    /// <summary>Creates a topic with the given metadata; it must be new.</summary>
    public static async Task CreateTopicAsync(this ZaqarClient client, string topic, object? metadata = null)
    {
        var response = await client.PutAsync($"/v2/topics/{topic}", metadata);
        Assert.True(response.Status == HttpStatusCode.Created, $"create: {(int)response.Status} {response.Text}");
    }

    /// <summary>Posts messages (bodies as given) to a topic and returns their ids in order.</summary>
    public static async Task<List<string>> PostTopicMessagesAsync(this ZaqarClient client, string topic, params object[] bodies)
    {
        var response = await client.PostAsync($"/v2/topics/{topic}/messages", new { messages = bodies.Select(b => new { body = b }) });
        Assert.True(response.Status == HttpStatusCode.Created, $"post: {(int)response.Status} {response.Text}");
        return response.Json!["resources"]!.AsArray().Select(r => r!.GetValue<string>().Split('/')[^1]).ToList();
    }

    /// <summary>The topic's <c>messages.total</c> from its stats.</summary>
    public static async Task<long> TopicTotalAsync(this ZaqarClient client, string topic)
    {
        var stats = await client.GetAsync($"/v2/topics/{topic}/stats");
        Assert.Equal(HttpStatusCode.OK, stats.Status);
        return stats.Json!["messages"]!["total"]!.GetValue<long>();
    }

    /// <summary>The names a topic listing returns.</summary>
    public static List<string> TopicNames(this ZaqarClient.Response listing) =>
        listing.Json!["topics"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList();
}
