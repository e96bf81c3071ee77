namespace Zaqar.Hub.Api;

/// <summary>The error titles and fixed descriptions of Zaqar's v2 API (zaqar-v2-api.md section 1.3).</summary>
public static class ApiErrors
{
    public static ZaqarException BadRequest(string description) => new(400, "Invalid API request", description);

    public static ZaqarException BadBody(string description) => new(400, "Invalid request body", description);

    public static ZaqarException InvalidParameter(string name, string reason) =>
        new(400, "Invalid parameter", $"The \"{name}\" parameter is invalid. {reason}");

    public static ZaqarException MissingParameter(string name) =>
        new(400, "Missing parameter", $"The \"{name}\" parameter is required.");

    public static ZaqarException NotFound(string description) => new(404, "Not found", description);

    /// <summary>What Zaqar answers for a path no route matches (only a title).</summary>
    public static readonly ZaqarException NoSuchRoute = new(404, "404 Not Found");

    public static ZaqarException Conflict(string description) => new(409, "Resource conflict", description);

    public static ZaqarException Forbidden() =>
        new(403, "Not authorized", "You are not authorized to complete this action.");

    /// <summary>A storage failure: Zaqar answers 503, never 500, and asks the client to retry.</summary>
    public static ZaqarException Unavailable(string description) =>
        new(503, "Service temporarily unavailable", description + " Please try again in a few seconds.")
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = "30" },
        };

    public static ZaqarException UnableToDelete(int status, string description) => new(status, "Unable to delete", description);

    public static readonly ZaqarException MalformedJson = BadBody("Request body could not be parsed.");

    public static readonly ZaqarException IntegerTooLarge = BadBody("JSON contains integer that is too large.");

    public static readonly ZaqarException DocumentTypeNotSupported = BadBody("Document type not supported.");

    public static readonly ZaqarException InvalidQueueName =
        new(400, "Invalid queue identification", "The format of the submitted queue name or project id is not valid.");

    // Zaqar checks topic names in a hook of their own (validate_topic_identification) with the same rule.
    public static readonly ZaqarException InvalidTopicName =
        new(400, "Invalid topic identification", "The format of the submitted topic name or project id is not valid.");
}
