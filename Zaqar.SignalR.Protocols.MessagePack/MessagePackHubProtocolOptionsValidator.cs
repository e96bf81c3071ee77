using Microsoft.Extensions.Options;

namespace Zaqar.SignalR.Protocols.MessagePack;

/// <summary>Rejects limits that are out of range (for example a MaxDepth above <see cref="MessagePackHubProtocolOptions.MaxDepthLimit"/>).</summary>
/// <remarks>Stateless singleton; thread-safe.</remarks>
internal sealed class MessagePackHubProtocolOptionsValidator : IValidateOptions<MessagePackHubProtocolOptions>
{
    public ValidateOptionsResult Validate(string? name, MessagePackHubProtocolOptions options) =>
        options.GetValidationError() is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
}
