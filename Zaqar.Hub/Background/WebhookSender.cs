using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Background;

/// <summary>
/// POSTs notifications to webhook subscribers through <see cref="IHttpClientFactory"/>, each attempt bounded by
/// <see cref="NotificationOptions.WebhookTimeoutSeconds"/> (a Polly timeout). <see cref="RetryPolicy.OutcomeOf"/> reads
/// the answer; a timeout or a transport error calls for a retry.
/// </summary>
/// <remarks>Singleton; thread-safe.</remarks>
internal sealed class WebhookSender(IHttpClientFactory clients, IOptions<NotificationOptions> options)
{
    public const string ClientName = "zaqar-webhooks";

    private readonly ResiliencePipeline _timeout = new ResiliencePipelineBuilder()
        .AddTimeout(TimeSpan.FromSeconds(options.Value.WebhookTimeoutSeconds))
        .Build();

    public async Task<DeliveryResult> SendAsync(WebhookRequest request, CancellationToken ct)
    {
        var client = clients.CreateClient(ClientName);
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Url) { Content = new StringContent(request.Body, Encoding.UTF8) };
        message.Content.Headers.ContentType = null;
        // Checked again here (issue 10): a subscription stored before the rule must not reach the wire either.
        if (Refusal(message, request) is { } refusal)
        {
            return DeliveryResult.Refused("Not sent: " + refusal);
        }
        try
        {
            using var response = await _timeout.ExecuteAsync(
                async token => await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, token), ct);
            var status = (int)response.StatusCode;
            var answer = string.Create(CultureInfo.InvariantCulture, $"The subscriber answered {status} {response.ReasonPhrase}");
            return RetryPolicy.OutcomeOf(status) switch
            {
                DeliveryOutcome.Delivered => DeliveryResult.Delivered,
                DeliveryOutcome.Refused => DeliveryResult.Refused(answer + "; a 4xx answer is not retried."),
                _ => DeliveryResult.Retry(answer + "."),
            };
        }
        catch (TimeoutRejectedException)
        {
            return DeliveryResult.Retry(string.Create(CultureInfo.InvariantCulture,
                $"The subscriber did not answer within {options.Value.WebhookTimeoutSeconds} seconds."));
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookAddressBlockedException blocked)
        {
            return DeliveryResult.Refused(blocked.Message);
        }
        catch (HttpRequestException ex)
        {
            return DeliveryResult.Retry("The request failed: " + ex.Message);
        }
    }

    /// <summary>Adds the request's headers to <paramref name="message"/>; says why it can't be sent when a value breaks the rule.</summary>
    private static string? Refusal(HttpRequestMessage message, WebhookRequest request)
    {
        if (OutgoingValues.HasControl(request.Url.OriginalString))
        {
            return "The subscriber URL holds a control character (CR, LF, NUL, ...).";
        }
        foreach (var (name, value) in request.Headers)
        {
            if (OutgoingValues.TryAddHeader(message, name, value) is { } problem)
            {
                return problem;
            }
        }
        return null;
    }

    /// <summary>
    /// The handler of the webhook client: no redirects (a 3xx ends the notification, as in Zaqar), no cookies, and
    /// connections only to addresses outside <see cref="NotificationOptions.WebhookBlockedNetworks"/>, checked after
    /// name resolution on the address connected to.
    /// </summary>
    public static HttpMessageHandler CreateHandler(WebhookEgress egress) => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = (context, ct) => ConnectAsync(egress, context.DnsEndPoint, ct),
    };

    private static async ValueTask<Stream> ConnectAsync(WebhookEgress egress, DnsEndPoint endPoint, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, ct);
        var allowed = addresses.Where(a => !egress.IsBlocked(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw addresses.Length == 0
                ? new SocketException((int)SocketError.HostNotFound)
                : new WebhookAddressBlockedException(egress.Refusal(addresses[0]));
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The client's own timeout is off: the Polly timeout bounds each attempt.</summary>
    public static void Configure(HttpClient client)
    {
        client.Timeout = Timeout.InfiniteTimeSpan;
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("zaqarhub-notifier", "1.0"));
    }
}

/// <summary>A webhook's address is in a blocked network: refused, not retried (the address won't change by waiting).</summary>
internal sealed class WebhookAddressBlockedException(string message) : Exception(message);
