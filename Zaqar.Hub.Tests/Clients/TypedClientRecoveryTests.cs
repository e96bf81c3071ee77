using System.Threading.Channels;
using Zaqar.Client;
using Zaqar.Hub.Tests.Infrastructure;
using static Zaqar.Hub.Tests.Hubs.HubTestKit;

namespace Zaqar.Hub.Tests.Clients;

/// <summary>The typed client resumes its subscriptions after the last message it handed out (issue 13).</summary>
public sealed class TypedClientRecoveryTests(ZaqarTestServer server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, BothClientProtocols]
    public async Task AfterADroppedConnectionTheMessagesPostedMeanwhileArriveOnceEachInOrderThenTheNewOnes(ZaqarProtocol protocol)
    {
        using var rest = server.Kestrel.NewProject();
        await using var link = new CuttableLink(server.Kestrel.BaseUri);
        await using var zaqar = await ZaqarHubClient.ConnectAsync(new ZaqarHubClientOptions
        {
            Url = link.Address,
            ProjectId = rest.Project,
            ClientId = Guid.Parse(rest.ClientId),
            Protocol = protocol,
            // Retries until the link lets it through again (the test decides when, not a clock).
            ReconnectDelays = [.. Enumerable.Repeat(TimeSpan.FromMilliseconds(100), 600)],
        }, Ct);
        var received = Channel.CreateUnbounded<PushedMessage>();
        await using var subscription = await zaqar.SubscribeAsync("events", m => received.Writer.TryWrite(m), Ct);
        var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        zaqar.Reconnected += _ =>
        {
            back.TrySetResult();
            return Task.CompletedTask;
        };
        var seen = await rest.PostMessagesAsync("events", "seen");
        Assert.Equal(seen[0], (await received.Reader.ReadAsync(Ct).AsTask().Within()).Id);

        link.Refusing = true;
        link.Cut();
        var missed = await rest.PostMessagesAsync("events", "missed 1", "missed 2", "missed 3");
        link.Refusing = false;
        await back.Task.Within();
        var live = await rest.PostMessagesAsync("events", "live");

        var ids = new List<string>();
        while (ids.Count < missed.Count + live.Count)
        {
            ids.Add((await received.Reader.ReadAsync(Ct).AsTask().Within()).Id);
        }
        Assert.Equal(missed.Concat(live), ids);
        Assert.False(received.Reader.TryRead(out _));
    }
}
