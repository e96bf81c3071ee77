namespace Zaqar.Hub.Hubs;

/// <summary>The log messages of the hub transport's own code. Event ids are stable; retired ids stay listed, never reused.</summary>
internal static partial class HubLog
{
    [LoggerMessage(1, LogLevel.Debug, "Hub call {HubMethod} answered {Status} {Title}", EventName = "CallAnswered")]
    public static partial void CallAnswered(ILogger logger, string hubMethod, int status, string title);

    [LoggerMessage(2, LogLevel.Debug, "Hub connection refused at connect: {Status} {Title}", EventName = "ConnectAnswered")]
    public static partial void ConnectAnswered(ILogger logger, int status, string title);
}
