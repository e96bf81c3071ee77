namespace Zaqar.Hub.Tests.Protocols.MessagePack;

public class FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void HundredThousandMutatedFramesOnlyEverYieldMessagesOrRefusals()
    {
        var report = ProtocolFuzzer.Run(cases: 100_000, seed: 20261204);

        output.WriteLine(report.ToString());
        Assert.Equal(100_000, report.Cases);
        Assert.True(report.Refused > 10_000, "the mutations should mostly break frames");
        Assert.True(report.Messages > 5_000, "unmutated and lightly mutated frames should still parse");
        Assert.True(report.BindingFailures > 100, "some mutations should only break binding");
        // No speed bound here (the bench's long run measures frames/s): a hang fails the case itself, past a second.
    }
}
