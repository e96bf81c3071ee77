using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Zaqar.Hub.Tests.Infrastructure;

namespace Zaqar.Hub.Tests.Security;

/// <summary>
/// Tokens are checked by the service's authenticator, for every transport alike (issue 15); ASP.NET Core's authentication
/// middleware, which WebApplication puts in front of every request once schemes are registered, only opened a service
/// scope per request, and each hub connection kept it for its life (issue 14 item 5). It is left out of the pipeline.
/// </summary>
public sealed class AuthenticationPipelineTests(ZaqarTestServer server)
{
    [Fact]
    public async Task TokensAreCheckedWithoutAspNetCoresAuthenticationMiddleware()
    {
        var seen = new ConcurrentQueue<(string Path, bool AuthenticationMiddlewareRan)>();
        await using var factory = server.CreateFactory(Tokens.JwtSettings(), services: s => s.AddSingleton<IStartupFilter>(new Observe(seen)));
        using var http = factory.CreateClient();
        var project = "authpipe-" + Guid.NewGuid().ToString("N")[..8];

        async Task<HttpStatusCode> GetQueuesAsync(string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/queues");
            request.Headers.Add("Client-ID", Guid.NewGuid().ToString());
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            return response.StatusCode;
        }

        // The token still decides: valid is served, none and forged are refused.
        Assert.InRange((int)await GetQueuesAsync(Tokens.Issue(project)), 200, 299);
        Assert.Equal(HttpStatusCode.Unauthorized, await GetQueuesAsync(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetQueuesAsync(Tokens.Issue(project, key: Convert.ToBase64String(new byte[32]))));

        Assert.Equal(3, seen.Count(s => s.Path == "/v2/queues"));
        Assert.DoesNotContain(seen, s => s.AuthenticationMiddlewareRan);
    }

    /// <summary>Wraps the whole pipeline: after each request, whether the authentication middleware marked it.</summary>
    private sealed class Observe(ConcurrentQueue<(string, bool)> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                await inner(context);
                seen.Enqueue((context.Request.Path.Value ?? "", context.Features.Get<IAuthenticationFeature>() is not null));
            });
            next(app);
        };
    }
}
