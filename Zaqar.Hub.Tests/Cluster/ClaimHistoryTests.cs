using Zaqar.Hub.Tests.Infrastructure;
using Outcome = Zaqar.Hub.Tests.Cluster.ClaimHistory.Outcome;

namespace Zaqar.Hub.Tests.Cluster;

/// <summary>
/// Issue 16 item 3: the claim guarantee checked over a whole history. First the checker itself, on histories made by
/// hand (it must see a violation where there is one, and none where messages change hands as they may); then 32
/// claimers on two nodes over REST and the hub, with releases and expiries, checked by it.
/// </summary>
public sealed class ClaimHistoryTests(ZaqarTestServer server)
{
    private readonly ManualClock _clock = new();

    [Fact]
    public void AMessageGivenToASecondClaimWhileTheFirstSurelyHeldItIsADoubleClaim()
    {
        var history = new ClaimHistory(_clock.GetUtcNow);
        history.Posted(["m1"]);
        Claim(history, "a", "m1");
        Claim(history, "b", "m1");
        Delete(history, "m1", "b", Outcome.Done);

        var verdict = history.Verify(new HashSet<string>());

        Assert.False(verdict.Passed);
        Assert.Equal(1, verdict.DoubleClaims);
        Assert.Contains(verdict.Notes, n => n.Contains("claim b was given it while claim a surely held it"));
    }

    [Fact]
    public void AMessageClaimedAgainAfterARelease_OrAfterItsClaimExpired_IsARedeliveryNotAViolation()
    {
        var history = new ClaimHistory(_clock.GetUtcNow);
        history.Posted(["m1"]);
        Claim(history, "a", "m1");
        history.Released("a", history.Now(), history.Now(), Outcome.Done);
        Claim(history, "b", "m1");
        _clock.Advance(TimeSpan.FromSeconds(61));
        Claim(history, "c", "m1");
        // b's holder wakes up late: the service refuses its delete, c's goes through.
        Delete(history, "m1", "b", Outcome.Refused);
        Delete(history, "m1", "c", Outcome.Done);

        var verdict = history.Verify(new HashSet<string>());

        Assert.True(verdict.Passed, verdict.ToString());
        Assert.Equal(2, verdict.Redeliveries);
        Assert.Equal(0, verdict.Lost);
    }

    [Fact]
    public void AMessageHandedOutAfterItsDeleteSucceeded_OrDeletedUnderAClaimThatDidNotHoldIt_IsReported()
    {
        var history = new ClaimHistory(_clock.GetUtcNow);
        history.Posted(["m1", "m2"]);
        Claim(history, "a", "m1");
        Delete(history, "m1", "a", Outcome.Done);
        Claim(history, "b", "m1");
        Claim(history, "c", "m2");
        Delete(history, "m2", "d", Outcome.Done);

        var verdict = history.Verify(new HashSet<string>());

        Assert.False(verdict.Passed);
        Assert.Equal(1, verdict.ClaimedAfterDelete);
        Assert.Equal(1, verdict.DeletedByNonHolder);
    }

    [Fact]
    public void AnAcknowledgedMessageNeitherDeletedNorLeftInTheQueueIsLost_AndOneWhoseDeleteHadNoAnswerIsNot()
    {
        var history = new ClaimHistory(_clock.GetUtcNow);
        history.Posted(["kept", "gone", "maybe", "vanished"]);
        Claim(history, "a", "gone", "maybe");
        Delete(history, "gone", "a", Outcome.Done);
        Delete(history, "maybe", "a", Outcome.Unknown);

        var verdict = history.Verify(new HashSet<string> { "kept" });

        Assert.Equal(1, verdict.Lost);
        Assert.Contains(verdict.Notes, n => n.StartsWith("message vanished", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ThirtyTwoClaimersOnTwoNodesOverRestAndTheHubNeverShareAMessageAndLoseNone()
    {
        var ct = TestContext.Current.CancellationToken;
        // Both nodes on one manual clock, so claims left to expire do so when the test says.
        await using var a = ServiceNode.Start(server.CreateFactory(clock: _clock));
        await using var b = ServiceNode.Start(server.CreateFactory(clock: _clock));
        var history = new ClaimHistory(_clock.GetUtcNow);
        var project = "history-" + Guid.NewGuid().ToString("N")[..8];
        var workload = new ClaimHistoryWorkload([a.Address, b.Address], project, "work", history) { Claims = 1500 };

        await workload.RunAsync(ct);
        _clock.Advance(TimeSpan.FromSeconds(61));
        workload = new ClaimHistoryWorkload([a.Address, b.Address], project, "work", history) { Claims = 3000 };
        await workload.RunAsync(ct);
        _clock.Advance(TimeSpan.FromSeconds(61));
        await workload.DrainAsync(ct);

        var verdict = history.Verify(await workload.RemainingAsync(ct));
        TestContext.Current.TestOutputHelper?.WriteLine(verdict.ToString());

        Assert.True(verdict.Passed, verdict.ToString());
        Assert.True(verdict.Claims >= 3000, verdict.ToString());
        Assert.True(verdict.Redeliveries > 0, "releases and expiries should have handed messages out again: " + verdict);
        Assert.True(verdict.DeletesRefused > 0 || verdict.Releases > 0, verdict.ToString());
        Assert.Empty(await workload.RemainingAsync(ct));
    }

    private static void Claim(ClaimHistory history, string claimId, params string[] messages)
    {
        var start = history.Now();
        history.Claimed(claimId, 60, start, history.Now(), messages);
    }

    private static void Delete(ClaimHistory history, string messageId, string claimId, Outcome outcome)
    {
        var start = history.Now();
        history.Deleted(messageId, claimId, start, history.Now(), outcome);
    }
}
