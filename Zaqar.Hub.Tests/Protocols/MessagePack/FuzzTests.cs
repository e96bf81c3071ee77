using System.Buffers;
using Zaqar.SignalR.Protocols.MessagePack;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

public class FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void HundredThousandMutatedFramesOnlyEverYieldMessagesOrInvalidData()
    {
        var report = ProtocolFuzzer.Run(cases: 100_000, seed: 20261122);

        output.WriteLine(report.ToString());
        Assert.Equal(100_000, report.Cases);
        Assert.True(report.InvalidData > 10_000, "the mutations should mostly break frames");
        Assert.True(report.Messages > 5_000, "unmutated and lightly mutated frames should still parse");
        Assert.True(report.BindingFailures > 100, "some mutations should only break binding");
        // No speed bound here (the bench's long run measures frames/s): a hang fails the case itself, past a second.
    }

    [Theory]
    [InlineData("dd ff ff ff ff")]
    [InlineData("df ff ff ff ff")]
    [InlineData("db 7f ff ff ff")]
    [InlineData("c6 ff ff ff ff")]
    [InlineData("c9 ff ff ff ff 07")]
    public void HugeDeclaredLengthsAreRejectedWithoutAllocatingThem(string header)
    {
        var protocol = new MessagePackHubProtocol(new MessagePackHubProtocolOptions
        {
            MaxStringLength = int.MaxValue, MaxBinaryLength = int.MaxValue, MaxCollectionLength = int.MaxValue,
        });
        var frame = MsgPackBuilder.Frame([.. Hex("95 01 80 c0 a1 4d 91"), .. Hex(header)]);
        var binder = TestBinder.For("M", typeof(object));
        Parse(protocol, frame, binder); // warm-up: JIT and first-use allocations are not the frame's

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            Parse(protocol, frame, binder);
        }

        var perCase = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        Assert.True(perCase < 8 * 1024, $"{perCase} bytes allocated per rejected frame");
    }

    [Fact]
    public void PrefixClaimingAMegabyteWithFewBytesBufferedAllocatesNothing()
    {
        var protocol = new MessagePackHubProtocol();
        var binder = new TestBinder();
        var bytes = Hex("80 80 40 95 01 80");
        var input = new ReadOnlySequence<byte>(bytes);
        Assert.False(protocol.TryParseMessage(ref input, binder, out _));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            input = new ReadOnlySequence<byte>(bytes);
            protocol.TryParseMessage(ref input, binder, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(bytes.Length, input.Length);
    }

    private static void Parse(MessagePackHubProtocol protocol, byte[] frame, TestBinder binder)
    {
        var input = new ReadOnlySequence<byte>(frame);
        Assert.Throws<InvalidDataException>(() => protocol.TryParseMessage(ref input, binder, out _));
    }
}
