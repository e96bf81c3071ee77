using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Zaqar.SignalR.Protocols.MessagePack;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ZaqarHub's MessagePack hub protocol with SignalR.</summary>
/// <remarks>Call during service registration (single-threaded, at startup).</remarks>
public static class MessagePackProtocolDependencyInjectionExtensions
{
    /// <summary>
    /// Adds the "messagepack" hub protocol as a singleton <see cref="IHubProtocol"/>; SignalR then offers it to clients
    /// automatically. Member names come from the JSON hub protocol's serializer options unless
    /// <see cref="MessagePackHubProtocolOptions.SerializerOptions"/> is set. Options are validated when the host starts.
    /// </summary>
    /// <param name="builder">The SignalR server builder.</param>
    /// <param name="configure">Optionally changes limits or serializer options.</param>
    /// <returns>The same builder.</returns>
    public static ISignalRServerBuilder AddZaqarMessagePackProtocol(
        this ISignalRServerBuilder builder, Action<MessagePackHubProtocolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, MessagePackHubProtocol>());
        var options = builder.Services.AddOptions<MessagePackHubProtocolOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IValidateOptions<MessagePackHubProtocolOptions>, MessagePackHubProtocolOptionsValidator>());
        options.ValidateOnStart();
        return builder;
    }
}
