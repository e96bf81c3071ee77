using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Background;

/// <summary>
/// Sends notification emails through the configured SMTP server (System.Net.Mail: plain SMTP or STARTTLS,
/// optional credentials), each message bounded by <see cref="SmtpOptions.TimeoutSeconds"/>. A permanent SMTP error
/// (5xx) or an unusable address refuses the notification; anything else calls for a retry.
/// </summary>
/// <remarks>Singleton; thread-safe (one SmtpClient per message: it allows one send at a time).</remarks>
internal sealed class MailSender(IOptions<NotificationOptions> options)
{
    private readonly ResiliencePipeline _timeout = new ResiliencePipelineBuilder()
        .AddTimeout(TimeSpan.FromSeconds(options.Value.Smtp.TimeoutSeconds))
        .Build();

    public async Task<DeliveryResult> SendAsync(EmailMessage email, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        if (string.IsNullOrEmpty(smtp.Host))
        {
            return DeliveryResult.Retry("No SMTP server is configured (Notifications:Smtp:Host).");
        }
        // Checked again here (issue 10): a subscription stored before the rule must not reach the SMTP server either.
        if (OutgoingValues.EmailProblem(email) is { } problem)
        {
            return DeliveryResult.Refused("Not sent: " + problem);
        }
        using var message = new MailMessage
        {
            Subject = email.Subject,
            Body = email.Body,
            IsBodyHtml = false,
            BodyEncoding = Encoding.UTF8,
            SubjectEncoding = Encoding.UTF8,
        };
        try
        {
            message.From = new MailAddress(email.From);
            message.To.Add(email.To);
        }
        catch (FormatException ex)
        {
            return DeliveryResult.Refused("Unusable email address: " + ex.Message);
        }
        using var client = new SmtpClient(smtp.Host, smtp.Port)
        {
            EnableSsl = smtp.EnableStartTls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            UseDefaultCredentials = false,
            Credentials = string.IsNullOrEmpty(smtp.UserName) ? null : new NetworkCredential(smtp.UserName, smtp.Password),
        };
        try
        {
            await _timeout.ExecuteAsync(async token => await client.SendMailAsync(message, token), ct);
            return DeliveryResult.Delivered;
        }
        catch (TimeoutRejectedException)
        {
            return DeliveryResult.Retry(string.Create(CultureInfo.InvariantCulture,
                $"The SMTP server did not accept the message within {smtp.TimeoutSeconds} seconds."));
        }
        catch (SmtpException ex) when ((int)ex.StatusCode is >= 500 and < 600)
        {
            return DeliveryResult.Refused(
                string.Create(CultureInfo.InvariantCulture, $"The SMTP server refused the message ({(int)ex.StatusCode}): {ex.Message}"));
        }
        catch (Exception ex) when (ex is SmtpException or IOException or SocketException or InvalidOperationException)
        {
            return DeliveryResult.Retry("Sending the email failed: " + (ex.InnerException?.Message ?? ex.Message));
        }
    }
}
