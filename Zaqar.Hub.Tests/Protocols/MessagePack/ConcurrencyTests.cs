using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.SignalR.Protocols.MessagePack;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

public class ConcurrencyTests
{
    [Fact]
    public void OneProtocolInstanceServesManyThreadsAtOnce()
    {
        // A fresh instance, so the threads also race to build the per-type converters.
        var protocol = new MessagePackHubProtocol();
        var binder = TestBinder.For("M", typeof(Order), typeof(Lease), typeof(Dictionary<string, JsonElement>), typeof(WithEnums));
        var body = JsonDocument.Parse("{\"k\":[1,{\"x\":2.5}]}").RootElement;

        Parallel.For(0, 2_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var order = new Order { Id = "o" + i, Total = i, Lease = new Lease("q" + i, i) };
            var sent = new InvocationMessage(i.ToString(System.Globalization.CultureInfo.InvariantCulture), "M",
                [order, new Lease("l", i), new Dictionary<string, JsonElement> { ["b"] = body }, new WithEnums { Named = Priority.High }]);

            var received = Assert.IsType<InvocationMessage>(RoundTrip(protocol, sent, binder));

            var back = Assert.IsType<Order>(received.Arguments[0]);
            Assert.Equal((order.Id, order.Total, order.Lease), (back.Id, back.Total, back.Lease));
            Assert.Equal(new Lease("l", i), received.Arguments[1]);
            Assert.Equal(body.GetRawText(), Assert.IsType<Dictionary<string, JsonElement>>(received.Arguments[2])["b"].GetRawText());
            Assert.Equal(Priority.High, Assert.IsType<WithEnums>(received.Arguments[3]).Named);
        });
    }
}
