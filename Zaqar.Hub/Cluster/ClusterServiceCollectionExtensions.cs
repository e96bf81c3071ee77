using Microsoft.Extensions.Options;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Cluster;

public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Several nodes on one database (issue #4): the publisher (NOTIFY after commit), the listener (its own LISTEN
    /// connection), the feed (relaying and polling) and the ledger that keeps push free of duplicates.
    /// </summary>
    public static IServiceCollection AddZaqarCluster(this IServiceCollection services)
    {
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidation>();
        services.AddSingleton<ClusterNode>();
        services.AddSingleton<PushLedger>();
        services.AddSingleton<ClusterPublisher>();
        services.AddSingleton<IMessageObserver>(sp => sp.GetRequiredService<ClusterPublisher>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterPublisher>());
        services.AddSingleton<ClusterFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterFeed>());
        services.AddSingleton<ClusterListener>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterListener>());
        return services;
    }
}
