using Microsoft.Extensions.Options;
using Zaqar.Data;
using Zaqar.Hub.Api;
using Zaqar.Hub.Background;
using Zaqar.Hub.Hubs;

namespace Zaqar.Hub.Hosting;

public static class SubscriptionHostingExtensions
{
    /// <summary>
    /// Subscriptions and their notifications (issue #4): the API service, signed confirmation requests, the outbox
    /// dispatcher with its webhook and SMTP senders, and hub-connection subscriptions.
    /// </summary>
    public static IServiceCollection AddZaqarSubscriptions(this IServiceCollection services)
    {
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidation>();
        services.AddOptions<SignedUrlOptions>().BindConfiguration(SignedUrlOptions.SectionName).ValidateOnStart();
        // The post statement fills the outbox; it must know whether only confirmed subscriptions get messages.
        services.AddOptions<OutboxOptions>()
            .Configure<IOptions<NotificationOptions>>((outbox, n) => outbox.RequireConfirmation = n.Value.RequireConfirmation);

        services.AddSingleton<SubscriptionEvents>();
        services.AddSingleton<ConfirmationDocuments>();
        services.AddSingleton<SubscriptionService>();
        services.AddSingleton<NotificationContent>();
        services.AddSingleton(sp => WebhookEgress.From(sp.GetRequiredService<IOptions<NotificationOptions>>().Value));

        // Webhook URLs may carry secrets: the client factory's request logging is removed.
        services.AddHttpClient(WebhookSender.ClientName, WebhookSender.Configure)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookSender.CreateHandler(sp.GetRequiredService<WebhookEgress>()))
            .RemoveAllLoggers();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<MailSender>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        services.AddSingleton<IMessageObserver>(sp => sp.GetRequiredService<NotificationDispatcher>());

        services.AddSingleton<HubSubscriptions>();
        services.AddHostedService(sp => sp.GetRequiredService<HubSubscriptions>());
        return services;
    }
}
