using System.Net;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Security;

/// <summary>Limits against abuse (issue #6): the per-project rate limit.</summary>
public sealed class LimitsTests(ZaqarTestServer server)
{
    [Fact]
    public async Task AProjectOverItsRateLimitGets429WithRetryAfterWhileOthersAreServed()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?>
        {
            ["Limits:PermitsPerSecond"] = "1",
            ["Limits:Burst"] = "3",
        });
        using var noisy = new ZaqarClient(factory.CreateClient(), "noisy-" + Guid.NewGuid().ToString("N")[..6], Guid.NewGuid().ToString());
        using var quiet = new ZaqarClient(factory.CreateClient(), "quiet-" + Guid.NewGuid().ToString("N")[..6], Guid.NewGuid().ToString());
        var statuses = new List<HttpStatusCode>();
        ZaqarClient.Response? limited = null;
        for (var i = 0; i < 6; i++)
        {
            var response = await noisy.GetAsync("/v2/queues");
            statuses.Add(response.Status);
            limited ??= response.Status == HttpStatusCode.TooManyRequests ? response : null;
        }
        Assert.Contains(HttpStatusCode.OK, statuses);
        Assert.NotNull(limited);
        limited!.AssertError(HttpStatusCode.TooManyRequests, "Too many requests", "rate limit");
        Assert.True(int.Parse(limited.Headers["Retry-After"], System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(HttpStatusCode.OK, (await quiet.GetAsync("/v2/queues")).Status);
    }
}
