using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Hub.Cluster;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>The NOTIFY payload and the Cluster settings (issue #4).</summary>
public sealed class ClusterSettingsTests(ZaqarTestServer server)
{
    [Fact]
    public void AnnouncementsRoundTripAndStayWithinThePayloadBudget()
    {
        var announcements = Enumerable.Range(0, 300)
            .Select(i => new Announcement(new QueueRef($"projét-\"{i}\"\u0001", $"queue-{i}", i % 2 == 0 ? QueueKind.Queue : QueueKind.Topic), i, i + 5))
            .ToList();

        var payloads = Announcements.Encode("node1", announcements, 2048);

        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(p), 1, 2048));
        var decoded = payloads.SelectMany(p =>
        {
            Assert.True(Announcements.TryDecode(p, out var node, out var list));
            Assert.Equal("node1", node);
            return list;
        });
        Assert.Equal(announcements, decoded);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"n":"x"}""")]
    [InlineData("""{"n":"x","q":[["p",9,"q",1,2]]}""")]
    [InlineData("""{"n":"x","q":[["p",0,"q",1]]}""")]
    public void OtherTrafficOnTheChannelIsNoAnnouncement(string payload) =>
        Assert.False(Announcements.TryDecode(payload, out _, out _));

    [Theory]
    [InlineData("has-dash", "Cluster:Channel")]
    [InlineData("1starts_with_a_digit", "Cluster:Channel")]
    [InlineData("a_channel_name_that_is_longer_than_postgresql_allows_for_names_x", "Cluster:Channel")]
    public void InvalidChannelNamesAreRefused(string channel, string expected)
    {
        var result = new ClusterOptionsValidation().Validate(null, new ClusterOptions { Channel = channel });
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void ReconnectDelaysMustBeOrdered()
    {
        var result = new ClusterOptionsValidation().Validate(null, new ClusterOptions { ReconnectMinDelayMilliseconds = 500, ReconnectMaxDelayMilliseconds = 100 });
        Assert.Contains("ReconnectMinDelayMilliseconds", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new ClusterOptionsValidation().Validate(null, new ClusterOptions()).Succeeded);
    }

    [ExpectsServiceErrors("Invalid settings: the host logs why it did not start.")]
    [Fact]
    public async Task AServiceWithInvalidClusterSettingsDoesNotStart()
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Cluster:Channel"] = "no spaces" });
        var error = Assert.Throws<OptionsValidationException>(() => factory.Server);
        Assert.Contains("Cluster:Channel", error.Message, StringComparison.Ordinal);
    }

    [ExpectsServiceErrors("Invalid settings: the host logs why it did not start.")]
    [Theory]
    [InlineData("-1")]
    [InlineData("1001")]
    public async Task APublishIntervalOutsideItsRangeKeepsTheServiceFromStarting(string interval)
    {
        await using var factory = server.CreateFactory(new Dictionary<string, string?> { ["Cluster:PublishIntervalMilliseconds"] = interval });
        var error = Assert.Throws<OptionsValidationException>(() => factory.Server);
        Assert.Contains("PublishIntervalMilliseconds", error.Message, StringComparison.Ordinal);
    }
}
