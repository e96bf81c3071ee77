using Microsoft.Extensions.Options;
using Zaqar.Data.Pools;
using Zaqar.Hub.Api;
using Zaqar.Hub.Hosting;

namespace Zaqar.Hub.Pools;

public static class PoolServiceCollectionExtensions
{
    /// <summary>
    /// Pools and flavors (issue #6): the "Pools" settings (which also switch the data layer's routing to the catalogue),
    /// the admin services behind /v2/pools and /v2/flavors, pool migrations and the catalog watcher.
    /// </summary>
    public static IServiceCollection AddZaqarPools(this IServiceCollection services)
    {
        services.AddOptions<PoolingOptions>().BindConfiguration(PoolingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<PoolingOptions>, PoolingOptionsValidation>();
        services.AddOptions<PoolRegistrationOptions>()
            .Configure<IOptions<StorageOptions>>((registration, storage) => registration.MigrateSchema = storage.Value.MigrateOnStart);
        services.AddSingleton<PoolService>();
        services.AddSingleton<FlavorService>();
        services.AddSingleton<PoolSchema>();
        services.AddHostedService<PoolWatcher>();
        return services;
    }
}
