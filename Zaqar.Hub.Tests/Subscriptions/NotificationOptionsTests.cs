using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Subscriptions;

/// <summary>Notification settings are checked when the service starts, not when the first notification fails.</summary>
public sealed class NotificationOptionsTests(ZaqarTestServer server)
{
    [ExpectsServiceErrors("Invalid settings: the host logs why it did not start.")]
    [Theory]
    [InlineData("Notifications:RequireConfirmation", "true", "needs SignedUrl:SecretKey")]
    [InlineData("Notifications:LeaseSeconds", "5", "LeaseSeconds must exceed")]
    [InlineData("Notifications:Smtp:UserName", "alice", "UserName and Password go together")]
    [InlineData("Notifications:PublicBaseUrl", "zaqar.example.com", "PublicBaseUrl must be an absolute http(s) URL")]
    [InlineData("Notifications:BatchSize", "0", "BatchSize")]
    [InlineData("Notifications:WebhookBlockedNetworks", "10.0.0.0/8, intranet", "'intranet' is not a network")]
    public async Task AnInconsistentSettingStopsTheServiceFromStarting(string key, string value, string complaint)
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { [key] = value });

        var failure = Record.Exception(() => factory.Server);

        Assert.NotNull(failure);
        var messages = string.Join("\n", Flatten(failure));
        Assert.Contains(complaint, messages, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Flatten(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            yield return ex.Message;
            if (ex is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
