using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.Hub.Hubs;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

/// <summary>
/// Classes with a JSON contract bind from MessagePack maps liberally, through the official protocol with the server's
/// options: a failure is a binding failure (reported to the caller), never an exception out of the protocol.
/// </summary>
public class ContractBindingTests
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

    [Theory]
    [InlineData("include_claimed", "echo")]
    [InlineData("includeClaimed", "Echo")]
    [InlineData("IncludeClaimed", "ECHO")]
    public void TheHubsArgumentRecordsBindFromEverySpelling(string includeClaimed, string echo)
    {
        var options = Bind<ListMessagesArgs>(b => b.Map(3).Str(includeClaimed).Bool(true).Str(echo).Bool(true).Str("limit").Int(5));
        Assert.Equal(new ListMessagesArgs(Limit: 5, Echo: true, IncludeClaimed: true), options);
    }

    [Fact]
    public void UnknownKeysAndKeysThatAreNotStringsAreSkippedAndMissingMembersKeepTheirDefaults()
    {
        var request = Bind<ClaimRequest>(b => b.Map(4)
            .Str("unknown").Array(2).Map(1).Str("deep").Array(1).Nil().Bin([1, 2])
            .Str("tags").Array(2).Str("a").Str("b")
            .Int(7).Str("an int key")
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
    public void AMissingConstructorParameterTakesItsDefault()
    {
        Assert.Equal(new Lease("q", 0), Bind<Lease>(b => b.Map(1).Str("queue").Str("q")));
        Assert.Equal(new MessageArgs(Ttl: 60), Bind<MessageArgs>(b => b.Map(1).Str("ttl").Int(60)));
    }

    [Fact]
    public void AMemberOfTheWrongTypeIsABindingFailureNamingTheMemberAndTheArgument()
    {
        var error = BindFailure<Lease>(b => b.Map(1).Str("count").Str("three"));
        Assert.StartsWith("Error binding arguments.", error, StringComparison.Ordinal);
        Assert.Contains("'count' of Lease", Inner(BindArgument<Lease>(b => b.Map(1).Str("count").Str("three"))), StringComparison.Ordinal);
    }

    [Fact]
    public void NilForAReferenceMemberBindsNullAndForAValueMemberFails()
    {
        Assert.Null(Bind<ClaimRequest>(b => b.Map(1).Str("queueName").Nil())!.QueueName);
        Assert.IsType<InvocationBindingFailureMessage>(BindArgument<ClaimRequest>(b => b.Map(1).Str("ttl").Nil()));
        Assert.Null(Bind<ClaimArgs>(b => b.Map(1).Str("ttl").Nil())!.Ttl);
    }

    [Fact]
    public void SelfReferencingTypesBind()
    {
        var node = Bind<Node>(b => b.Map(2).Str("value").Int(1).Str("next").Map(1).Str("value").Int(2))!;
        Assert.Equal(2, node.Next!.Value);
    }

    [Fact]
    public void AnArrayWhereAnObjectIsExpectedIsABindingFailure()
    {
        Assert.IsType<InvocationBindingFailureMessage>(BindArgument<MessageArgs>(b => b.Array(1).Int(1)));
    }

    [Fact]
    public void UnknownTargetIsABindingFailureNotAnException()
    {
        var frame = new MsgPackBuilder().Array(5).Int(1).Map(0).Str("4").Str("Nope").Array(1).Int(1).ToFrame();
        var failure = Assert.IsType<InvocationBindingFailureMessage>(ParseOne(Server, frame, new TestBinder()));

        Assert.Equal(("4", "Nope"), (failure.InvocationId, failure.Target));
        Assert.IsType<HubException>(failure.BindingFailure.SourceException);
    }

    [Fact]
    public void WrongArgumentCountIsABindingFailure()
    {
        var frame = new MsgPackBuilder().Array(5).Int(1).Map(0).Str("4").Str("M").Array(2).Int(1).Int(2).ToFrame();
        var failure = Assert.IsType<InvocationBindingFailureMessage>(ParseOne(Server, frame, TestBinder.For("M", typeof(int))));
        Assert.Contains("provides 2 argument(s)", failure.BindingFailure.SourceException.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StreamItemThatDoesNotFitIsAStreamBindingFailure()
    {
        var binder = new TestBinder();
        binder.StreamItems["s"] = typeof(int);
        var frame = new MsgPackBuilder().Array(4).Int(2).Map(0).Str("s").Str("not a number").ToFrame();

        var failure = Assert.IsType<StreamBindingFailureMessage>(ParseOne(Server, frame, binder));
        Assert.Equal("s", failure.Id);
    }

    [Fact]
    public void ContractsAreWrittenWithTheirJsonNamesAndUnnamedMembersInCamelCase()
    {
        Assert.Equal(
            """{"claim_id":7,"queueName":"q","ttl":30,"tags":null}""",
            Bind<JsonElement>(b => b.Raw(Encode(new ClaimRequest { ClaimId = 7, QueueName = "q" }))).GetRawText());
    }

    /// <summary>The message of the exception inside the binding failure (SignalR's own wraps it).</summary>
    private static string Inner(HubMessage message)
    {
        var failure = Assert.IsType<InvocationBindingFailureMessage>(message).BindingFailure.SourceException;
        return string.Join(" | ", Chain(failure).Select(e => e.Message));

        static IEnumerable<Exception> Chain(Exception? e)
        {
            for (; e is not null; e = e.InnerException)
            {
                yield return e;
            }
        }
    }
}
