using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.SignalR.Protocols.MessagePack;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

public partial class BindingTests
{
    [Theory]
    [InlineData("claim_id")]
    [InlineData("claimId")]
    [InlineData("ClaimId")]
    [InlineData("CLAIM_ID")]
    [InlineData("claimid")]
    public void MemberKeysMatchIgnoringCaseAndUnderscores(string key)
    {
        var request = Bind<ClaimRequest>(b => b.Map(1).Str(key).Int(99))!;
        Assert.Equal(99, request.ClaimId);
    }

    [Theory]
    [InlineData("queueName")]
    [InlineData("QueueName")]
    [InlineData("queue_name")]
    public void PascalCamelAndSnakeKeysAllBindToTheSameMember(string key)
    {
        Assert.Equal("jobs", Bind<ClaimRequest>(b => b.Map(1).Str(key).Str("jobs"))!.QueueName);
    }

    [Fact]
    public void UnknownKeysAreSkippedAndMissingMembersKeepTheirDefaults()
    {
        var request = Bind<ClaimRequest>(b => b.Map(3)
            .Str("unknown").Array(2).Map(1).Str("deep").Array(1).Nil().Bin([1, 2])
            .Str("tags").Array(2).Str("a").Str("b")
            .Str("extra").Int(1))!;

        Assert.Equal(30, request.Ttl);
        Assert.Null(request.QueueName);
        Assert.Equal(["a", "b"], request.Tags!);
    }

    [Fact]
    public void RecordsBindThroughTheirConstructor()
    {
        var lease = Bind<Lease>(b => b.Map(2).Str("count").Int(3).Str("Queue").Str("q"))!;
        Assert.Equal(new Lease("q", 3), lease);
    }

    [Fact]
    public void RecordStructsBindThroughTheirConstructor()
    {
        Assert.Equal(new Point(1, -2), Bind<Point>(b => b.Map(2).Str("x").Int(1).Str("y").Int(-2)));
    }

    [Fact]
    public void OptionalConstructorParameterKeepsItsDefaultWhenMissing()
    {
        var lease = Bind<Lease>(b => b.Map(2).Str("queue").Str("q").Str("count").Int(1))!;
        Assert.Null(lease.Note);
    }

    [Fact]
    public void MissingNonNullableConstructorParameterIsABindingFailureNamingIt()
    {
        var error = BindFailure<Lease>(b => b.Map(1).Str("queue").Str("q"));
        Assert.Contains("'count'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingRequiredMemberIsABindingFailureNamingIt()
    {
        var error = BindFailure<Order>(b => b.Map(1).Str("total").Str("1.5"));
        Assert.Contains("required member 'id'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NestedMemberFailureReportsThePathToTheValue()
    {
        var error = BindFailure<Order>(b => b.Map(2).Str("id").Str("o1").Str("lease").Map(2).Str("queue").Str("q").Str("count").Str("x"));
        Assert.Contains("$.lease.count", error, StringComparison.Ordinal);
        Assert.Contains("Error binding argument 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NilForAReferenceMemberBindsNullAndForAValueMemberFails()
    {
        Assert.Null(Bind<ClaimRequest>(b => b.Map(1).Str("queueName").Nil())!.QueueName);
        Assert.Contains("non-nullable Int32", BindFailure<ClaimRequest>(b => b.Map(1).Str("ttl").Nil()), StringComparison.Ordinal);
    }

    [Fact]
    public void SelfReferencingTypesBind()
    {
        var node = Bind<Node>(b => b.Map(2).Str("value").Int(1).Str("next").Map(1).Str("value").Int(2))!;
        Assert.Equal(2, node.Next!.Value);
    }

    [Fact]
    public void UnknownTargetIsABindingFailureNotAnException()
    {
        var frame = new MsgPackBuilder().Array(5).Int(1).Map(0).Str("4").Str("Nope").Array(1).Int(1).ToFrame();
        var failure = Assert.IsType<InvocationBindingFailureMessage>(ParseOne(new MessagePackHubProtocol(), frame, new TestBinder()));

        Assert.Equal(("4", "Nope"), (failure.InvocationId, failure.Target));
        Assert.IsType<HubException>(failure.BindingFailure.SourceException);
    }

    [Fact]
    public void WrongArgumentCountIsABindingFailure()
    {
        var frame = new MsgPackBuilder().Array(5).Int(1).Map(0).Str("4").Str("M").Array(2).Int(1).Int(2).ToFrame();
        var failure = Assert.IsType<InvocationBindingFailureMessage>(ParseOne(new MessagePackHubProtocol(), frame, TestBinder.For("M", typeof(int))));
        Assert.Contains("provides 2 argument(s)", failure.BindingFailure.SourceException.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StreamItemThatDoesNotFitIsAStreamBindingFailure()
    {
        var binder = new TestBinder();
        binder.StreamItems["s"] = typeof(int);
        var frame = new MsgPackBuilder().Array(4).Int(2).Map(0).Str("s").Str("not a number").ToFrame();

        var failure = Assert.IsType<StreamBindingFailureMessage>(ParseOne(new MessagePackHubProtocol(), frame, binder));
        Assert.Equal("s", failure.Id);
        Assert.IsType<StreamBindingFailureMessage>(ParseOne(new MessagePackHubProtocol(), frame, new TestBinder()));
    }

    [Fact]
    public void ExplicitSerializerOptionsReplaceTheJsonProtocolDefaults()
    {
        var protocol = new MessagePackHubProtocol(new MessagePackHubProtocolOptions
        {
            SerializerOptions = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower },
        });

        Assert.Equal(Hex("81 aa 71 75 65 75 65 5f 6e 61 6d 65 a1 71"), Encode(new { QueueName = "q" }, protocol));
    }
}
