namespace Zaqar.Client;

// Messages and claims of a queue.
public sealed partial class ZaqarHubClient
{
    /// <summary>Posts messages; returns their ids in posting order.</summary>
    public Task<PostResult> PostAsync(string queue, IEnumerable<NewMessage> messages, CancellationToken cancellationToken = default) =>
        CallAsync<PostResult>("PostMessages", [queue, messages.ToArray()], cancellationToken);

    /// <summary>Posts one message whose body is <paramref name="body"/> as JSON (<see cref="ZaqarHubClientOptions.BodySerializerOptions"/>).</summary>
    public async Task<string> PostBodyAsync<T>(string queue, T body, int? ttl = null, int? delay = null, CancellationToken cancellationToken = default) =>
        (await PostAsync(queue, [NewMessage.From(body, ttl, delay, Options.BodySerializerOptions)], cancellationToken)).MessageIds[0];

    /// <summary>Lists a queue's messages (not the caller's own unless echo; not claimed or delayed ones unless asked).</summary>
    public Task<MessagePage> ListMessagesAsync(string queue, ListMessagesOptions? options = null, CancellationToken cancellationToken = default) =>
        CallAsync<MessagePage>("ListMessages", [queue, options], cancellationToken);

    /// <summary>One message of a queue.</summary>
    public Task<Message> GetMessageAsync(string queue, string messageId, CancellationToken cancellationToken = default) =>
        CallAsync<Message>("GetMessage", [queue, messageId], cancellationToken);

    /// <summary>The messages of these ids that exist.</summary>
    public async Task<IReadOnlyList<Message>> GetMessagesAsync(string queue, IEnumerable<string> messageIds, CancellationToken cancellationToken = default) =>
        (await CallAsync<MessageList>("GetMessages", [queue, messageIds.ToArray()], cancellationToken)).Messages;

    /// <summary>Deletes a message; a claimed one only with its claim's id.</summary>
    public Task DeleteMessageAsync(string queue, string messageId, string? claimId = null, CancellationToken cancellationToken = default) =>
        CallAsync("DeleteMessage", [queue, messageId, claimId], cancellationToken);

    /// <summary>Deletes messages; claimed ones only with their claims' ids.</summary>
    public Task DeleteMessagesAsync(
        string queue, IEnumerable<string> messageIds, IEnumerable<string>? claimIds = null, CancellationToken cancellationToken = default) =>
        CallAsync("DeleteMessages", [queue, messageIds.ToArray(), claimIds?.ToArray()], cancellationToken);

    /// <summary>Removes and returns up to <paramref name="count"/> of the oldest unclaimed messages.</summary>
    public async Task<IReadOnlyList<PoppedMessage>> PopAsync(string queue, int count, CancellationToken cancellationToken = default) =>
        (await CallAsync<PoppedList>("PopMessages", [queue, count], cancellationToken)).Messages;

    /// <summary>Claims messages; null when none was claimable.</summary>
    public Task<Claim?> ClaimAsync(string queue, ClaimOptions? options = null, CancellationToken cancellationToken = default) =>
        CallAsync<Claim?>("CreateClaim", [queue, options], cancellationToken);

    /// <summary>A claim and the messages it holds.</summary>
    public Task<ClaimInfo> GetClaimAsync(string queue, string claimId, CancellationToken cancellationToken = default) =>
        CallAsync<ClaimInfo>("GetClaim", [queue, claimId], cancellationToken);

    /// <summary>Renews a claim (new ttl and grace).</summary>
    public Task UpdateClaimAsync(string queue, string claimId, int? ttl = null, int? grace = null, CancellationToken cancellationToken = default) =>
        CallAsync("UpdateClaim", [queue, claimId, new ClaimOptions(ttl, grace)], cancellationToken);

    /// <summary>Releases a claim: its messages are claimable again.</summary>
    public Task ReleaseClaimAsync(string queue, string claimId, CancellationToken cancellationToken = default) =>
        CallAsync("ReleaseClaim", [queue, claimId], cancellationToken);
}
