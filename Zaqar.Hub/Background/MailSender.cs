using System.Globalization;
using System.Net.Mail;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using MailKit.Net.Smtp;
using SmtpClient = MailKit.Net.Smtp.SmtpClient;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Text;
using Polly;
using Polly.Timeout;
using Zaqar.Hub.Api;

namespace Zaqar.Hub.Background;

/// <summary>
/// Sends notification emails: through the configured SMTP server (MailKit, issue 15: plain SMTP or STARTTLS, optional
/// credentials, a pinned certificate for a self-signed relay), else through the local sendmail program when it is installed (Zaqar's default, issue 13 item 4), each
/// message bounded by <see cref="SmtpOptions.TimeoutSeconds"/>. A permanent error or an unusable address refuses the
/// notification; anything else calls for a retry. With no mail path at all, deliveries are refused with the reason in
/// their last_error, and the reason is logged once.
/// </summary>
/// <remarks>Singleton; thread-safe (one SMTP connection or sendmail process per message).</remarks>
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
        MimeMessage message;
        try
        {
            var from = new MailAddress(email.From);
            var to = new MailAddressCollection { email.To };
            // Composed once, by MimeKit, for whichever mail path sends it.
            message = Compose(from, to, email);
        }
        catch (Exception ex) when (ex is FormatException or ParseException)
        {
            return DeliveryResult.Refused("Unusable email address: " + ex.Message);
        }
        using (message)
        {
            if (!string.IsNullOrEmpty(smtp.Host))
            {
                return await SendThroughSmtpAsync(smtp, message, ct);
            }
            if (SendmailProgram.Command(smtp.SendmailCommand) is { } sendmail)
            {
                return await SendmailProgram.SendAsync(sendmail, message, TimeSpan.FromSeconds(smtp.TimeoutSeconds), ct);
            }
        }
        if (Interlocked.Exchange(ref _noMailPathReported, 1) == 0)
        {
            NotificationDispatcherLog.NoMailPath(logger, smtp.SendmailCommand);
        }
        return DeliveryResult.RefusedReported(NoMailPath);
    }

    private async Task<DeliveryResult> SendThroughSmtpAsync(SmtpOptions smtp, MimeMessage message, CancellationToken ct)
    {
        using var client = new SmtpClient { CheckCertificateRevocation = smtp.CheckCertificateRevocation };
        if (!string.IsNullOrEmpty(smtp.TrustedCertificateSha256))
        {
            var pinned = Convert.FromHexString(smtp.TrustedCertificateSha256.Replace(":", "", StringComparison.Ordinal));
            client.ServerCertificateValidationCallback = (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None ||
                (certificate is not null && CryptographicOperations.FixedTimeEquals(certificate.GetCertHash(HashAlgorithmName.SHA256), pinned));
        }
        try
        {
            await _timeout.ExecuteAsync(async token =>
            {
                await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.EnableStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, token);
                if (!string.IsNullOrEmpty(smtp.UserName))
                {
                    await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? string.Empty, token);
                }
                await client.SendAsync(message, token);
                await client.DisconnectAsync(quit: true, token);
            }, ct);
            return DeliveryResult.Delivered;
        }
        catch (TimeoutRejectedException)
        {
            return DeliveryResult.Retry(string.Create(CultureInfo.InvariantCulture,
                $"The SMTP server did not accept the message within {smtp.TimeoutSeconds} seconds."));
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode is >= 500 and < 600)
        {
            return DeliveryResult.Refused(
                string.Create(CultureInfo.InvariantCulture, $"The SMTP server refused the message ({(int)ex.StatusCode}): {ex.Message}"));
        }
        catch (Exception ex) when (ex is MailKit.Security.AuthenticationException)
        {
            // The deployment's credentials, not the message: sent again once they are fixed.
            return DeliveryResult.Retry("The SMTP server did not accept the credentials: " + ex.Message);
        }
        catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or SslHandshakeException or IOException
            or SocketException or InvalidOperationException or NotSupportedException)
        {
            return DeliveryResult.Retry("Sending the email failed: " + ex.Message);
        }
    }

    private static MimeMessage Compose(MailAddress from, MailAddressCollection to, EmailMessage email)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(from.DisplayName, from.Address));
        message.To.AddRange(to.Select(a => new MailboxAddress(a.DisplayName, a.Address)));
        message.Subject = email.Subject;
        // Base64, as before (issue 15): the UTF-8 body reaches every server intact, whether it takes 8-bit data or not.
        message.Body = new TextPart(TextFormat.Plain) { Text = email.Body, ContentTransferEncoding = ContentEncoding.Base64 };
        return message;
    }
}
