using MessagePack;
using MessagePack.Resolvers;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Zaqar.Serialization;

/// <summary>
/// SignalR's official MessagePack protocol as Zaqar's hub speaks it (issue 11): <see cref="ZaqarResolver"/> in front of
/// SignalR's own resolvers, <see cref="MessagePackSecurity.UntrustedData"/>, and a depth limit.
/// </summary>
/// <remarks>A .NET client adds it with Zaqar.Client's <c>AddZaqarMessagePackProtocol()</c> on its HubConnectionBuilder.</remarks>
public static class ZaqarMessagePack
{
    /// <summary>
    /// The request header a .NET client sends when its MessagePack protocol has Zaqar's formatters: without it, the server
    /// refuses the empty maps the plain client makes of JsonElement and JsonNode values (issue 11).
    /// </summary>
    public const string FormattersHeader = "X-Zaqar-Formatters";

    /// <summary>
    /// The deepest nesting of arrays and maps the server reads in one argument (a body posted in a batch has about 60
    /// levels of its own, as in the JSON protocol, whose reader stops at 64).
    /// </summary>
    public const int ServerMaxDepth = 64;

    /// <summary>
    /// The deepest nesting a client reads: bodies posted over REST may be deeper than the hub's own limit (issue 11), and
    /// what the service accepts it must serve back.
    /// </summary>
    public const int ClientMaxDepth = 256;

    private static readonly IFormatterResolver SignalRDefaults = new MessagePackHubProtocolOptions().SerializerOptions.Resolver;

    /// <summary><see cref="ZaqarResolver"/>, then SignalR's default resolvers (enums as strings, contractless objects).</summary>
    public static IFormatterResolver Resolver { get; } = CompositeResolver.Create(ZaqarResolver.Instance, SignalRDefaults);

    /// <summary>The server's options: <see cref="Resolver"/>, untrusted-data security, <see cref="ServerMaxDepth"/>.</summary>
    public static MessagePackSerializerOptions ServerOptions { get; } = Create(ServerMaxDepth);

    /// <summary>A client's options: as <see cref="ServerOptions"/>, reading up to <see cref="ClientMaxDepth"/> levels.</summary>
    public static MessagePackSerializerOptions ClientOptions { get; } = Create(ClientMaxDepth);

    /// <summary>Options with <see cref="Resolver"/> and untrusted-data security, reading at most <paramref name="maxDepth"/> levels.</summary>
    public static MessagePackSerializerOptions Create(int maxDepth) =>
        MessagePackSerializerOptions.Standard
            .WithResolver(Resolver)
            .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(maxDepth));

    /// <summary>Adds the official MessagePack hub protocol with the given options (<see cref="ServerOptions"/> on a server).</summary>
    public static TBuilder AddZaqarMessagePackProtocol<TBuilder>(this TBuilder builder, MessagePackSerializerOptions options)
        where TBuilder : ISignalRBuilder
    {
        builder.AddMessagePackProtocol(o => o.SerializerOptions = options);
        return builder;
    }
}
