using Zaqar.Data;

namespace Zaqar.Hub.Api;

/// <summary>
/// Who is calling: the project every operation is scoped to, the caller's Client-ID (normalized), and roles.
/// Built once per REST request or hub connection by <see cref="IdentityRules"/>.
/// </summary>
public sealed record CallContext(string ProjectId, string ClientId, IReadOnlySet<string> Roles)
{
    public bool IsAdmin => Roles.Contains("admin");

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
