using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
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
}
