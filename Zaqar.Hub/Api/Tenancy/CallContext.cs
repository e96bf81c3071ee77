using Zaqar.Data;

namespace Zaqar.Hub.Api;

/// <summary>
/// Who is calling: the project every operation is scoped to, the caller's Client-ID (normalized), and roles.
/// Built once per REST request or hub connection by <see cref="IdentityRules"/>.
/// </summary>
public sealed record CallContext(string ProjectId, string ClientId, IReadOnlySet<string> Roles)
{
    public bool IsAdmin => Roles.Contains("admin");

    /// <summary>When the caller's credentials expire (a token's exp); null when they don't.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>For a caller using a pre-signed URL: the methods and paths it may use; null otherwise.</summary>
    public Auth.SignedScope? Scope { get; init; }

    /// <summary>Fails with a 404 (as Zaqar answers pre-signed requests out of scope) unless the caller may do this.</summary>
    public void RequireScope(string method, string path)
    {
        if (Scope is { } scope && !scope.Allows(method, path))
        {
            throw Auth.SignedUrls.NotFound();
        }
    }

    /// <summary>The caller's queue (or topic) of that name: storage is only ever reached through such a reference.</summary>
    public QueueRef Queue(string name, QueueKind kind = QueueKind.Queue) => new(ProjectId, name, kind);

    /// <summary>Fails with 403 unless the caller has the admin role.</summary>
    public void RequireAdmin()
    {
        if (!IsAdmin)
        {
            throw ApiErrors.Forbidden();
        }
    }
}
