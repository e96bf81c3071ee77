using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api;

/// <summary>
/// Subscriptions' notifications (issue #4), bound from the "Notifications" section: the confirmation rule, the
/// outbox dispatcher, webhooks and SMTP.
/// </summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>
    /// Only confirmed subscriptions receive messages; new http(s) and mailto subscribers are sent a signed confirmation
    /// request (Zaqar's <c>[notification] require_confirmation</c>). Needs <c>SignedUrl:SecretKey</c>.
    /// </summary>
    public bool RequireConfirmation { get; set; }

    /// <summary>Run this node's outbox dispatcher (several nodes may run one on the same database).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>How often an idle dispatcher looks for due notifications (posts on this node wake it at once).</summary>
    [Range(0.01, 3600)] public double PollIntervalSeconds { get; set; } = 1;

    /// <summary>Notifications claimed by one query.</summary>
    [Range(1, 1000)] public int BatchSize { get; set; } = 50;

    /// <summary>Deliveries in flight at once on this node (Zaqar's max_notifier_workers).</summary>
    [Range(1, 1000)] public int MaxConcurrentDeliveries { get; set; } = 10;

    /// <summary>How long a claimed notification stays hidden from other dispatchers; longer than any delivery timeout.</summary>
    [Range(1, 86400)] public int LeaseSeconds { get; set; } = 120;

    /// <summary>Time allowed for one webhook POST (connect, send, response headers).</summary>
    [Range(0.01, 3600)] public double WebhookTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Networks webhooks may not reach, comma-separated CIDRs or addresses, checked on the address actually connected
    /// to (after DNS). The default keeps tenants away from cloud instance-metadata endpoints (link-local, and AWS's
    /// IPv6 one); a deployment whose webhooks go only to the internet adds its private networks (10.0.0.0/8,
    /// 172.16.0.0/12, 192.168.0.0/16, fc00::/7, 127.0.0.0/8, ::1). Empty: no network is blocked. Through an
    /// egress proxy (HTTP_PROXY), the proxy's address is what is checked: the proxy must then enforce the rule.
    /// </summary>
    public string WebhookBlockedNetworks { get; set; } = "169.254.0.0/16, fe80::/10, fd00:ec2::254";

    /// <summary>How often expired subscriptions (and their pending notifications) are deleted.</summary>
    [Range(1, 86400)] public int SweepIntervalSeconds { get; set; } = 30;

    /// <summary>How often hub-connection subscriptions are checked for expiry or deletion through another node.</summary>
    [Range(0.01, 3600)] public double HubSubscriptionCheckSeconds { get; set; } = 5;

    /// <summary>The service's public base URL (e.g. https://zaqar.example.com); confirmation requests then carry the full confirm URL.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// A page that confirms subscriptions for email subscribers (Zaqar's external_confirmation_url); it gets the signed
    /// values as query parameters.
    /// </summary>
    public string? ExternalConfirmationUrl { get; set; }

    public SmtpOptions Smtp { get; set; } = new();
}

/// <summary>
/// How mailto subscriptions are delivered ("Notifications:Smtp"): through an SMTP server when <see cref="Host"/> is set,
/// else through the local sendmail program (<see cref="SendmailCommand"/>) when it is installed, as Zaqar does by default.
/// With neither, mailto subscriptions are still accepted and their deliveries fail with the reason (issue 13 item 4).
/// </summary>
public sealed class SmtpOptions
{
    /// <summary>The SMTP server; unset: the sendmail program, if there is one.</summary>
    public string? Host { get; set; }

    /// <summary>
    /// The sendmail program and its arguments (Zaqar's <c>[notification] smtp_command</c>), used when <see cref="Host"/> is
    /// unset and the program exists; it reads the whole message, recipients included (<c>-t</c>), from its input. Empty:
    /// no local mail path.
    /// </summary>
    public string SendmailCommand { get; set; } = "/usr/sbin/sendmail -t -oi";

    public int Port { get; set; } = 25;

    /// <summary>Use STARTTLS; off: plain SMTP.</summary>
    public bool EnableStartTls { get; set; }

    /// <summary>Optional credentials (both or neither).</summary>
    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>Sender of notifications whose subscription sets no <c>from</c> option.</summary>
    public string From { get; set; } = "Zaqar Notifications <no-reply@localhost>";

    /// <summary>
    /// The SHA-256 hash (hex) of the SMTP server's certificate, trusted for STARTTLS even when it does not chain to a trusted
    /// root (a self-signed certificate of an internal relay). Unset: the certificate must be valid for <see cref="Host"/>.
    /// </summary>
    public string? TrustedCertificateSha256 { get; set; }

    /// <summary>Whether STARTTLS checks the server certificate's revocation (off for relays whose CA publishes no CRL).</summary>
    public bool CheckCertificateRevocation { get; set; } = true;

    /// <summary>Time allowed for one message (SMTP: connect, dialogue, data; sendmail: until the program exits).</summary>
    public double TimeoutSeconds { get; set; } = 30;
}

/// <summary>Pre-signed URLs ("SignedUrl"; Zaqar's <c>[signed_url]</c>): the key confirmation requests are signed with.</summary>
public sealed class SignedUrlOptions
{
    public const string SectionName = "SignedUrl";

    /// <summary>HMAC-SHA256 key of signed URLs; unset: nothing is signed and every signed request is refused (404).</summary>
    public string? SecretKey { get; set; }
}

/// <summary>Rules that span several notification settings; checked at start.</summary>
public sealed class NotificationOptionsValidation(IOptions<SignedUrlOptions> signedUrls) : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions o)
    {
        var failures = new List<string>();
        if (o.RequireConfirmation && string.IsNullOrEmpty(signedUrls.Value.SecretKey))
        {
            failures.Add("Notifications:RequireConfirmation needs SignedUrl:SecretKey to sign confirmation requests.");
        }
        if (o.LeaseSeconds <= Math.Max(o.WebhookTimeoutSeconds, o.Smtp.TimeoutSeconds))
        {
            failures.Add("Notifications:LeaseSeconds must exceed WebhookTimeoutSeconds and Smtp:TimeoutSeconds, " +
                "or deliveries in flight would be taken twice.");
        }
        if (o.Smtp.Port is < 1 or > 65535)
        {
            failures.Add("Notifications:Smtp:Port must be 1..65535.");
        }
        if (o.Smtp.TimeoutSeconds is < 0.01 or > 3600)
        {
            failures.Add("Notifications:Smtp:TimeoutSeconds must be 0.01..3600.");
        }
        if (string.IsNullOrEmpty(o.Smtp.UserName) != string.IsNullOrEmpty(o.Smtp.Password))
        {
            failures.Add("Notifications:Smtp:UserName and Password go together.");
        }
        if (!WebhookEgress.TryParse(o.WebhookBlockedNetworks, out _, out var egressError))
        {
            failures.Add(egressError!);
        }
        foreach (var (key, url) in new[] { ("PublicBaseUrl", o.PublicBaseUrl), ("ExternalConfirmationUrl", o.ExternalConfirmationUrl) })
        {
            if (!string.IsNullOrEmpty(url) && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
            {
                failures.Add($"Notifications:{key} must be an absolute http(s) URL.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
