using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Serialization;

namespace Zaqar.Client;

/// <summary>Zaqar's MessagePack formatters for a plain <see cref="HubConnection"/> (issue 11).</summary>
public static class HubConnectionBuilderExtensions
{
    /// <summary>
    /// SignalR's official MessagePack protocol with Zaqar's formatters: JsonElement and JsonNode values (bodies, metadata)
    /// go as native MessagePack values, and records whose members carry [JsonPropertyName] (REST's snake_case keys) read and
    /// write with those names. Announces itself to the server (<see cref="ZaqarMessagePack.FormattersHeader"/>).
    /// </summary>
    /// <example><code>new HubConnectionBuilder().WithUrl(url).AddZaqarMessagePackProtocol().Build();</code></example>
    public static IHubConnectionBuilder AddZaqarMessagePackProtocol(this IHubConnectionBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddZaqarMessagePackProtocol(ZaqarMessagePack.ClientOptions);
        builder.Services.Configure<HttpConnectionOptions>(o => o.Headers[ZaqarMessagePack.FormattersHeader] = "1");
        return builder;
    }
}
