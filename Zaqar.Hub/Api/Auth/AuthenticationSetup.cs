using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Zaqar.Hub.Api.Auth.Keystone;

namespace Zaqar.Hub.Api.Auth;

/// <summary>Registers authentication (issue 15): the options, ASP.NET Core's JwtBearer and Keystone schemes, and the Authenticator.</summary>
public static class AuthenticationSetup
{
    public static IServiceCollection AddZaqarAuthentication(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidation>();
        services.AddAuthentication()
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, KeystoneAuthenticationHandler>(KeystoneAuthenticationHandler.SchemeName, null);
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, JwtBearerSetup>();
        // After JwtBearer's own post-configuration (registered by AddJwtBearer above), which creates the ConfigurationManager.
        services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, JwtBearerKeyRetirement>();
        services.AddHttpClient(KeystoneCall.ClientName)
            .ConfigureHttpClient((sp, client) => client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<AuthOptions>>().Value.Keystone.TimeoutSeconds));
        services.AddSingleton<KeystoneServiceToken>();
        services.AddSingleton<KeystoneTokens>();
        services.AddSingleton<BearerAuthentication>();
        services.AddSingleton<SignedUrls>();
        services.AddSingleton<Authenticator>();
        return services;
    }

    // The key ASP.NET Core's UseAuthentication() marks a pipeline with, and WebApplication looks for before adding it.
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    /// <summary>
    /// Keeps ASP.NET Core's authentication middleware out of the pipeline: the schemes registered above run only inside
    /// <see cref="BearerAuthentication"/>, for every transport alike, so the middleware that WebApplication adds
    /// in front of every request when schemes are registered has nothing to do. It still opened a service scope
    /// and looked up the schemes on every request, and a hub connection's WebSocket request kept its frame, features and
    /// scope for the connection's life (about 0.65 KB each, issue 14 item 5). To be called before the app runs.
    /// </summary>
    public static WebApplication WithoutAuthenticationMiddleware(this WebApplication app)
    {
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
        return app;
    }
}
