using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;
using Zaqar.Hub.Cluster;

namespace Zaqar.Hub.Presence;

public static class PresenceServiceCollectionExtensions
{
    /// <summary>
    /// Presence (issue 13): the options, the reads every transport answers with, and this node's tracker (its heartbeat,
    /// its connections' joins and leaves, and the announcements of other nodes' through the cluster's listener).
    /// </summary>
    public static IServiceCollection AddZaqarPresence(this IServiceCollection services)
    {
        services.AddOptions<PresenceOptions>().BindConfiguration(PresenceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<PresenceOptions>, PresenceOptionsValidation>();
        services.AddSingleton<PresenceService>();
        services.AddSingleton<PresenceTracker>();
        services.AddSingleton<IClusterSignal>(sp => sp.GetRequiredService<PresenceTracker>());
        services.AddHostedService(sp => sp.GetRequiredService<PresenceTracker>());
        return services;
    }
}
