namespace Zaqar.Hub.Api.Auth.Keystone;

/// <summary>Keystone could not decide (unreachable, failing, or refusing the service's own credentials): the caller gets 503, not 401.</summary>
public sealed class KeystoneUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
