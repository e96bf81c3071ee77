using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Zaqar.SignalR.Protocols.MessagePack;
using static Zaqar.Hub.Tests.Protocols.MessagePack.ProtocolTestKit;

namespace Zaqar.Hub.Tests.Protocols.MessagePack;

public class RegistrationTests
{
    [Fact]
    public void RegistersOneSharedProtocolThatSignalROffers()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSignalR().AddZaqarMessagePackProtocol().AddZaqarMessagePackProtocol();
        using var provider = services.BuildServiceProvider();

        var protocols = provider.GetServices<IHubProtocol>().OfType<MessagePackHubProtocol>().ToList();
        Assert.Single(protocols);
        Assert.Same(protocols[0], provider.GetServices<IHubProtocol>().OfType<MessagePackHubProtocol>().Single());
        Assert.Contains("messagepack", provider.GetRequiredService<IOptions<HubOptions>>().Value.SupportedProtocols!);
    }

    [Fact]
    public void ConfigureDelegateSetsTheLimits()
    {
        var services = new ServiceCollection();
        services.AddSignalR().AddZaqarMessagePackProtocol(o => o.MaxStringLength = 4);
        using var provider = services.BuildServiceProvider();
        var protocol = provider.GetServices<IHubProtocol>().OfType<MessagePackHubProtocol>().Single();

        var frame = new MsgPackBuilder().Array(5).Int(1).Map(0).Nil().Str("M").Array(1).Str("12345").ToFrame();
        Assert.Throws<InvalidDataException>(() => ParseOne(protocol, frame, TestBinder.For("M", typeof(string))));
    }

    [Fact]
    public void InvalidOptionsFailValidation()
    {
        var services = new ServiceCollection();
        services.AddSignalR().AddZaqarMessagePackProtocol(o => o.MaxDepth = 100_000);
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MessagePackHubProtocolOptions>>().Value);
        Assert.Contains("MaxDepth", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsesTheJsonProtocolsPayloadSerializerOptionsByDefault()
    {
        var services = new ServiceCollection();
        services.AddSignalR()
            .AddJsonProtocol(o => o.PayloadSerializerOptions.PropertyNamingPolicy = null)
            .AddZaqarMessagePackProtocol();
        using var provider = services.BuildServiceProvider();
        var protocol = provider.GetServices<IHubProtocol>().OfType<MessagePackHubProtocol>().Single();

        var written = Bind<System.Text.Json.JsonElement>(b => b.Raw(Encode(new Lease("q", 1), protocol)));
        Assert.Equal(["Queue", "Count", "Note"], written.EnumerateObject().Select(p => p.Name));
    }
}
