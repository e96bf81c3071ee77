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
/// Sends notification emails: through the configured SMTP server (System.Net.Mail: plain SMTP or STARTTLS, optional
/// credentials), else through the local sendmail program when it is installed (Zaqar's default, issue 13 item 4), each
/// message bounded by <see cref="SmtpOptions.TimeoutSeconds"/>. A permanent error or an unusable address refuses the
/// notification; anything else calls for a retry. With no mail path at all, deliveries are refused with the reason in
/// their last_error, and the reason is logged once.
/// </summary>
/// <remarks>Singleton; thread-safe (one SmtpClient or sendmail process per message).</remarks>
internal sealed class MailSender(IOptions<NotificationOptions> options, ILogger<MailSender> logger)
{
    /// <summary>The last_error of a mailto delivery when no mail path is configured.</summary>
    public const string NoMailPath =
        "Not sent: no mail path is configured. Set Notifications:Smtp:Host to an SMTP server, or install sendmail " +
        "(Notifications:Smtp:SendmailCommand).";

    private readonly ResiliencePipeline _timeout = new ResiliencePipelineBuilder()
        .AddTimeout(TimeSpan.FromSeconds(options.Value.Smtp.TimeoutSeconds))
        .Build();

    private int _noMailPathReported;

    public async Task<DeliveryResult> SendAsync(EmailMessage email, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        // Checked again here (issue 10): a subscription stored before the rule must not reach a mail path either.
        if (OutgoingValues.EmailProblem(email) is { } problem)
        {
            return DeliveryResult.Refused("Not sent: " + problem);
        }
        MailAddress from;
        var to = new MailAddressCollection();
        try
        {
            from = new MailAddress(email.From);
            to.Add(email.To);
        }
        catch (FormatException ex)
        {
            return DeliveryResult.Refused("Unusable email address: " + ex.Message);
        }
        if (!string.IsNullOrEmpty(smtp.Host))
        {
            return await SendThroughSmtpAsync(smtp, from, to, email, ct);
        }
        if (SendmailProgram.Command(smtp.SendmailCommand) is { } sendmail)
        {
            return await SendmailProgram.SendAsync(sendmail, from, to, email, TimeSpan.FromSeconds(smtp.TimeoutSeconds), ct);
        }
        if (Interlocked.Exchange(ref _noMailPathReported, 1) == 0)
        {
            NotificationDispatcherLog.NoMailPath(logger, smtp.SendmailCommand);
        }
        return DeliveryResult.RefusedReported(NoMailPath);
    }

    private async Task<DeliveryResult> SendThroughSmtpAsync(
        SmtpOptions smtp, MailAddress from, MailAddressCollection to, EmailMessage email, CancellationToken ct)
    {
        using var message = new MailMessage
        {
            From = from,
            Subject = email.Subject,
            Body = email.Body,
            IsBodyHtml = false,
            BodyEncoding = Encoding.UTF8,
            SubjectEncoding = Encoding.UTF8,
        };
        foreach (var address in to)
        {
            message.To.Add(address);
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
