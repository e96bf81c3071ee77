using System.Text.Encodings.Web;
using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Data.Embedded;
using Zaqar.Hub.Api;
using Zaqar.Hub.Api.Auth;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Zaqar.Hub.Background;
using Zaqar.Hub.Cluster;
using Zaqar.Hub.Presence;
using Zaqar.Hub.Hubs;
using Zaqar.Hub.Pools;
using Zaqar.Serialization;
using System.Text.Json;
using Zaqar.Hub.Rest;

namespace Zaqar.Hub.Hosting;

public static class ZaqarHostingExtensions
{
    public const string ConnectionStringName = "Zaqar";

    /// <summary>
    /// Uses the PostgreSQL that ConnectionStrings:Zaqar names; without one, starts the embedded cluster
    /// (Embedded section), supervises it (issue 10) and stops it with the host.
    /// </summary>
    public static async Task UseZaqarDatabaseAsync(this WebApplicationBuilder builder)
    {
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionStringName)))
        {
            return;
        }
        var embeddedOptions = builder.Configuration.GetSection(EmbeddedPostgresOptions.SectionName).Get<EmbeddedPostgresOptions>()
            ?? new EmbeddedPostgresOptions();
        embeddedOptions.Validate();
        using var loggers = LoggerFactory.Create(l => l.AddConsole());
        var server = await EmbeddedPostgres.StartAsync(embeddedOptions, loggers.CreateLogger<EmbeddedPostgres>());
        builder.Configuration[$"ConnectionStrings:{ConnectionStringName}"] = server.ConnectionString;
        await DevelopmentSignedUrlKey.ApplyAsync(builder.Configuration, server.DataDirectory);
        builder.Services.AddSingleton(server);
        builder.Services.AddSingleton(embeddedOptions);
        builder.Services.AddSingleton<EmbeddedPostgresSupervisor>();
        builder.Services.AddHostedService<EmbeddedPostgresLifetime>();
    }

    /// <summary>The common API layer, storage and background work.</summary>
    public static IServiceCollection AddZaqarHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ZaqarOptions>().BindConfiguration(ZaqarOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<ZaqarOptions>, ZaqarOptionsValidation>();
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        var connectionString = configuration.GetConnectionString(ConnectionStringName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not set.");
        services.AddZaqarData(connectionString);

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IdentityRules>();
        services.AddZaqarAuthentication();
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ProjectRateLimiter>();
        var limits = configuration.GetSection(LimitsOptions.SectionName).Get<LimitsOptions>() ?? new LimitsOptions();
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes);
        services.AddSingleton<StorageGuard>();
        services.AddSingleton<MessageCrypto>();
        services.AddSingleton<QueueSettingsCache>();
        services.AddSingleton<QueueService>();
        services.AddSingleton<MessageService>();
        services.AddSingleton<ClaimService>();
        services.AddSingleton<HealthService>();

        services.AddHostedService<DatabaseMigrator>();
        // After the migrator: the catalog watcher starts on a migrated primary database.
        services.AddZaqarPools();
        services.AddSingleton<ExpirySweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpirySweeper>());

        services.AddSingleton<QueueActivity>();
        services.AddSingleton<IMessageObserver>(sp => sp.GetRequiredService<QueueActivity>());
        services.AddSingleton<ConsumerService>();
        // Issue 15: a stopping node drains for Shutdown:DrainSeconds, ends its consume streams and reports what it did.
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>(
            (host, shutdown) => host.ShutdownTimeout = TimeSpan.FromSeconds(shutdown.Value.DrainSeconds));
        services.AddHostedService<GracefulShutdown>();
        services.AddZaqarSubscriptions();

        services.AddSingleton<RestHeaderFilter>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
            // Room for the deepest value ever stored (issue 10: values stored before its depth limit) inside a response.
            o.SerializerOptions.MaxDepth = JsonInput.StoredMaxDepth + 8;
        });
        // The cluster before the hub: observers are told of a post in registration order, and the announcement to the
        // other nodes (a hand-off to the publisher's loop) must not queue behind this node's fan-out to its own
        // subscribers, one work item per connection (issue 14 item 4).
        services.AddZaqarCluster();
        services.AddZaqarHubTransport(configuration);
        services.AddZaqarPresence();
        services.AddZaqarSockets();
        services.AddZaqarTelemetry(configuration);
        services.AddZaqarHealthChecks();
        services.AddZaqarOpenApi();
        return services;
    }

    /// <summary>The persistent transport: the SignalR hub, its protocols, push and connection tracking.</summary>
    private static void AddZaqarHubTransport(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PushOptions>().BindConfiguration(PushOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var push = configuration.GetSection(PushOptions.SectionName).Get<PushOptions>() ?? new PushOptions();
        services.AddSingleton<TrackingHubLifetimeManager>();
        services.AddSingleton<HubConnectionLimits>();
        services.AddSingleton<HubSessions>();
        services.AddSingleton<HubLifetimeManager<QueuesHub>>(sp => sp.GetRequiredService<TrackingHubLifetimeManager>());
        services.AddSingleton<PushDispatcher>();
        services.AddSingleton<IMessageObserver>(sp => sp.GetRequiredService<PushDispatcher>());
        services.AddSingleton<IRelayTarget>(sp => sp.GetRequiredService<PushDispatcher>());
        services.AddSingleton<PresenceWatchers>();
        services.AddSingleton<Telemetry.MessageRates>();
        services.AddSingleton<StatsService>();
        services.AddSignalR(o =>
            {
                o.MaximumReceiveMessageSize = push.MaximumReceiveMessageSize;
                // Outermost, so a stopping node waits for every invocation, however it ends (GracefulShutdown).
                o.AddFilter<InFlightHubCalls>();
                o.AddFilter<ZaqarHubFilter>();
                o.AddFilter<PlainClientFilter>();
            })
            .AddJsonProtocol(o =>
            {
                o.PayloadSerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
                o.PayloadSerializerOptions.Converters.Add(new LiberalArgsConverterFactory());
            })
            // The official MessagePack protocol, with formatters for bodies and REST-shaped records (issue 11).
            .AddZaqarMessagePackProtocol(ZaqarMessagePack.ServerOptions);
        services.AddSingleton<InFlightHubCalls>();
        services.AddSingleton<ZaqarHubFilter>();
        services.AddSingleton<PlainClientFilter>();
        // Issue 10: SignalR's handler and dispatcher log a client's mistakes as the filter does, one debug line each.
        services.AddSingleton(HubLoggerFactory.CreateHandler<QueuesHub>);
        WrapHubProtocols(services);
    }

    /// <summary>Every registered hub protocol, wrapped in <see cref="HubErrorTextProtocol"/> (Zaqar errors without SignalR's "unexpected error" words).</summary>
    private static void WrapHubProtocols(IServiceCollection services)
    {
        var protocols = services.Where(d => d.ServiceType == typeof(IHubProtocol)).ToList();
        foreach (var descriptor in protocols)
        {
            services.Remove(descriptor);
            services.Add(ServiceDescriptor.Singleton<IHubProtocol>(sp => new HubErrorTextProtocol(descriptor switch
            {
                { ImplementationInstance: IHubProtocol instance } => instance,
                { ImplementationFactory: { } factory } => (IHubProtocol)factory(sp),
                _ => (IHubProtocol)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!),
            })));
        }
    }

    /// <summary>
    /// Both transports: the hub at /hubs/queues (WebSockets, Server-Sent Events, long polling; stateful
    /// reconnect allowed) and Zaqar's v2 REST API with its error bodies; 404 for everything else.
    /// </summary>
    public static WebApplication MapZaqar(this WebApplication app)
    {
        app.WithoutAuthenticationMiddleware();
        // Issue 14: a hub's WebSocket request lasts as long as its connection and the hub answers its own refusals, so it
        // skips REST's error rendering (whose frame would be kept for every open connection).
        app.UseWhen(http => !IsHubWebSocket(http), rest => rest.UseMiddleware<RestErrors>());
        // Static console files are served before routing chooses an endpoint (the 404 fallback would match them).
        app.UseZaqarConsole();
        app.UseSlashExactRouting(OpenApiHostingExtensions.ReferencePath + "/");
        app.UseRouting();
        app.UseWebSockets();
        app.UseHubIdentity(QueuesHub.Path);
        app.MapHub<QueuesHub>(QueuesHub.Path, o => o.AllowStatefulReconnects = true);
        app.MapZaqarSockets();
        app.MapVersions();
        RestHeaderFilter.Apply(app.MapGroup("/v2"))
            .MapDiscoveryApi()
            .MapQueuesApi()
            .MapMessagesApi()
            .MapClaimsApi()
            .MapTopicsApi()
            .MapSubscriptionsApi()
            .MapTopicSubscriptionsApi()
            .MapPoolsApi();
        app.MapZaqarTelemetry();
        app.MapZaqarHealth();
        app.MapZaqarOpenApi();
        app.MapFallback(DiscoveryApi.NotFound);
        return app;
    }

    private static bool IsHubWebSocket(HttpContext http) =>
        http.Request.Path.StartsWithSegments(QueuesHub.Path) &&
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpUpgradeFeature>()?.IsUpgradableRequest == true;
}
