using System.Net;
using Zaqar.Hub.Tests.Infrastructure;
using Zaqar.Hub.Tests.Rest;

namespace Zaqar.Hub.Tests.JsonValues;

/// <summary>Issue 10, item 3: a body nested too deep for the readers must never get in and poison its queue.</summary>
public sealed class Issue10PoisonMessageTests(ZaqarTestServer server)
{
    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    [Fact]
    public async Task Issue10ABatchWithABodyNested70DeepIsRefusedAndTheQueueStaysServable()
    {
        using var client = server.NewProject();
        var batch = $$"""{"messages":[{"body":"good1"},{"body":{{Nested(70)}}},{"body":"good2"}]}""";

        var posted = await client.PostAsync("/v2/queues/q/messages", batch);
        var popped = await client.DeleteAsync("/v2/queues/q/messages?pop=2");

        posted.AssertError(HttpStatusCode.BadRequest, "Invalid request body");
        Assert.Equal(HttpStatusCode.OK, popped.Status);
        Assert.Equal(0, await client.TotalAsync("q"));
    }
}
