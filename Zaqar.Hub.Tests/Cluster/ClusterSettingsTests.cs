using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Stores;
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

    private static readonly DateTime Created = new(2026, 12, 6, 3, 4, 5, 678, DateTimeKind.Utc);

    private static IReadOnlyList<PostedMessage> Messages(long first, params string[] bodies) =>
        [.. bodies.Select((body, i) => new PostedMessage(Guid.NewGuid(), first + i, body, 300 + i, i % 2, Created.AddTicks(i), Encrypted: body.StartsWith('"')))];

    [Fact]
    public void MessagesThatFitGoAlongWithTheirPositionsExactlyAsStored()
    {
        var queue = new QueueRef("projét", "q", QueueKind.Queue);
        var topic = new QueueRef("projét", "t", QueueKind.Topic);
        IReadOnlyList<PostedMessage> carried = Messages(7, """{"a":[1,2.50,{"b":"é\u0000\"x"}]}""", "\"ciphertext+/=\"", "null");
        var announcements = new List<Announcement>
        {
            new(queue, 7, 9) { Messages = carried },
            new(topic, 1, 1),
        };

        var payloads = Announcements.Encode("node1", announcements, 4000);

        var payload = Assert.Single(payloads);
        Assert.True(Announcements.TryDecode(payload, out _, out var decoded));
        Assert.Equal(announcements.Select(a => a with { Messages = null }), decoded.Select(a => a with { Messages = null }));
        Assert.Equal(carried, decoded[0].Messages);
        Assert.Null(decoded[1].Messages);
    }

    [Fact]
    public void MessagesThatDoNotFitTheBudgetLeaveTheirPositionsAlone()
    {
        var queues = Enumerable.Range(0, 3).Select(i => new QueueRef("p", $"q{i}", QueueKind.Queue)).ToList();
        var big = "\"" + new string('x', 2500) + "\"";
        var announcements = new List<Announcement>
        {
            new(queues[0], 1, 2) { Messages = Messages(1, big, big) },
            new(queues[1], 5, 5) { Messages = Messages(5, big) },
            new(queues[2], 9, 9) { Messages = Messages(9, "{\"small\":true}") },
        };

        var payload = Assert.Single(Announcements.Encode("node1", announcements, 4000));

        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(payload), 1, 4000);
        Assert.True(Announcements.TryDecode(payload, out _, out var decoded));
        // The first's two bodies exceed the budget together: none of them goes, the next ones in order while they fit.
        Assert.Equal([null, announcements[1].Messages, announcements[2].Messages], decoded.Select(a => a.Messages));
        Assert.Equal(announcements.Select(a => (a.Queue, a.FirstSeq, a.LastSeq)), decoded.Select(a => (a.Queue, a.FirstSeq, a.LastSeq)));
    }

    [Fact]
    public void AnnouncementsThatNeedSeveralPayloadsCarryNoMessages()
    {
        var announcements = Enumerable.Range(0, 300)
            .Select(i => new Announcement(new QueueRef("p", $"queue-{i}", QueueKind.Queue), i, i) { Messages = Messages(i, "1") })
            .ToList();

        var payloads = Announcements.Encode("node1", announcements, 2048);

        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.DoesNotContain("\"m\":", p, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"n":"x","q":[["p",0,"q",1,2]],"m":{}}""")]
    [InlineData("""{"n":"x","q":[["p",0,"q",1,2]],"m":[[0,1,"6b1c4e9e-1f0e-4c4e-9d5e-2f7a0b9d1c11",60,0,638690000000000000,0,1]]}""")]
    [InlineData("""{"n":"x","q":[["p",0,"q",1,2]],"m":[[0,1,"6b1c4e9e-1f0e-4c4e-9d5e-2f7a0b9d1c11",60,0,638690000000000000,0,1],[0,3,"7b1c4e9e-1f0e-4c4e-9d5e-2f7a0b9d1c11",60,0,638690000000000000,0,2]]}""")]
    [InlineData("""{"n":"x","q":[["p",0,"q",1,2]],"m":[[1,1,"6b1c4e9e-1f0e-4c4e-9d5e-2f7a0b9d1c11",60,0,638690000000000000,0,1],[1,2,"7b1c4e9e-1f0e-4c4e-9d5e-2f7a0b9d1c11",60,0,638690000000000000,0,2]]}""")]
    [InlineData("""{"n":"x","q":[["p",0,"q",1,2]],"m":[[0,1,"not-a-guid",60,0,638690000000000000,0,1],[0,2,"7b1c4e9e-1f0e-4c4e-9d5e-2f7a0b9d1c11",60,0,638690000000000000,0,2]]}""")]
    [InlineData("""{"n":"x","q":[["p",0,"q",1,2]],"m":[[0,1,"6b1c4e9e-1f0e-4c4e-9d5e-2f7a0b9d1c11",60,0,-5,0,1],[0,2,"7b1c4e9e-1f0e-4c4e-9d5e-2f7a0b9d1c11",60,0,638690000000000000,2,2]]}""")]
    public void MessagesThatAreNotEveryPositionOfTheirRangeAreIgnoredButThePositionsStand(string payload)
    {
        Assert.True(Announcements.TryDecode(payload, out _, out var decoded));

        var announcement = Assert.Single(decoded);
        Assert.Equal((1L, 2L), (announcement.FirstSeq, announcement.LastSeq));
        Assert.Null(announcement.Messages);
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
