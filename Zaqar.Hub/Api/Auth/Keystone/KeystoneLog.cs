using Microsoft.Extensions.Logging;

namespace Zaqar.Hub.Api.Auth.Keystone;

/// <summary>The log messages of Keystone authentication (issue 15). Event ids are stable; retired ids stay listed, never reused.</summary>
internal static partial class KeystoneLog
{
    [LoggerMessage(1, LogLevel.Information, "Obtained the service's Keystone token, valid until {ExpiresAt:o}", EventName = "KeystoneServiceTokenIssued")]
    public static partial void ServiceTokenIssued(ILogger logger, DateTimeOffset expiresAt);

    [LoggerMessage(2, LogLevel.Error, "Keystone refused the service's credentials (HTTP {Status}): check Auth:Keystone's Username, Password, Project and domains",
        EventName = "KeystoneServiceCredentialsRefused")]
    public static partial void ServiceCredentialsRefused(ILogger logger, int status);

    [LoggerMessage(3, LogLevel.Warning, "Keystone could not be reached; token-authenticated requests are answered 503 meanwhile",
        EventName = "KeystoneUnreachable")]
    public static partial void Unreachable(ILogger logger, Exception exception);

    [LoggerMessage(4, LogLevel.Error,
        "Keystone answered HTTP {Status} to a token validation; the service user needs a role allowed to validate tokens (\"service\" or \"admin\")",
        EventName = "KeystoneValidationRefused")]
    public static partial void ValidationRefused(ILogger logger, int status);
}
