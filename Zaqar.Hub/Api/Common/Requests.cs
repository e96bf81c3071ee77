using System.Text.Json;

namespace Zaqar.Hub.Api;

// Inputs of the common API layer. Optional values are null when the caller left them out, so defaults and
// range checks are applied here, once, for every transport.

/// <summary>One message to post. <see cref="Body"/> has ValueKind Undefined when the caller sent no body.</summary>
public sealed record MessageDraft(JsonElement Body, int? Ttl = null, int? Delay = null);

public sealed record ListMessagesRequest(
    string? Marker = null,
    int? Limit = null,
    bool? Echo = null,
    bool? IncludeClaimed = null,
    bool? IncludeDelayed = null);

public sealed record ListQueuesRequest(
    string? Marker = null,
    int? Limit = null,
    bool? Detailed = null,
    string? Name = null,
    bool? WithCount = null,
    IReadOnlyList<KeyValuePair<string, string>>? MetadataFilters = null);
