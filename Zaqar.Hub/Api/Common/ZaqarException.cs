namespace Zaqar.Hub.Api;

/// <summary>
/// A failure the client is told about: Zaqar's HTTP status, title and description. Both transports render it
/// (REST as the JSON error body, the hub as a HubException), so the common API layer throws only this.
/// </summary>
public sealed class ZaqarException(int status, string title, string? description = null)
    : Exception(description is null ? title : $"{title}: {description}")
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Description { get; } = description;

    /// <summary>Extra response headers (e.g. Retry-After, Accept-Patch) a transport may pass on.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
