using MessagePack;
using MessagePack.Resolvers;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Zaqar.Serialization;

/// <summary>
/// SignalR's official MessagePack protocol as Zaqar's hub speaks it (issue 11): <see cref="ZaqarResolver"/> in front of
/// SignalR's own resolvers, <see cref="MessagePackSecurity.UntrustedData"/>, and a depth limit.
/// </summary>
/// <example>
/// A plain .NET HubConnection that sends JsonElement bodies and reads results into records with REST's keys:
/// <code>
/// new HubConnectionBuilder().WithUrl(url).AddZaqarMessagePackProtocol().Build();
/// </code>
/// </example>
public static class ZaqarMessagePack
{
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

    /// <summary>Adds the official MessagePack hub protocol with <see cref="ClientOptions"/> to a client's HubConnection builder.</summary>
    public static TBuilder AddZaqarMessagePackProtocol<TBuilder>(this TBuilder builder)
        where TBuilder : ISignalRBuilder =>
        builder.AddZaqarMessagePackProtocol(ClientOptions);

    /// <summary>Adds the official MessagePack hub protocol with the given options (<see cref="ServerOptions"/> on a server).</summary>
    public static TBuilder AddZaqarMessagePackProtocol<TBuilder>(this TBuilder builder, MessagePackSerializerOptions options)
        where TBuilder : ISignalRBuilder
    {
        builder.AddMessagePackProtocol(o => o.SerializerOptions = options);
        return builder;
    }
}
