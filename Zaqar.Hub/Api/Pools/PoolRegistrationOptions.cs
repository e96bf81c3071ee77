namespace Zaqar.Hub.Api;

/// <summary>
/// How <see cref="PoolService"/> prepares a database being registered as a pool. The API layer's own settings (issue 12
/// item 7: it reads no hosting options); the host fills them from <c>Storage:MigrateOnStart</c>, so operators who apply
/// the schema themselves apply it to each pool too.
/// </summary>
public sealed class PoolRegistrationOptions
{
    /// <summary>Bring a registered database's schema up to date before it serves queues.</summary>
    public bool MigrateSchema { get; set; } = true;
}
