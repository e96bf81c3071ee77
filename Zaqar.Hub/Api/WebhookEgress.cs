using System.Net;

namespace Zaqar.Hub.Api;

/// <summary>
/// The networks webhooks may not reach (<see cref="NotificationOptions.WebhookBlockedNetworks"/>): a tenant's
/// subscriber URL must not become a way into the service's own network, such as a cloud's instance-metadata endpoint.
/// </summary>
/// <remarks>
/// Checked twice: on the URL's literal address when a subscription is created (a 400 the tenant sees at once), and on
/// every address a webhook actually connects to, after name resolution, so a DNS name that resolves (or later
/// re-resolves) into a blocked network is refused too. The unspecified addresses (0.0.0.0, ::) are always refused:
/// connecting to them reaches the local host. Immutable; thread-safe.
/// </remarks>
public sealed class WebhookEgress
{
    private readonly IPNetwork[] _blocked;

    private WebhookEgress(IPNetwork[] blocked) => _blocked = blocked;

    public static WebhookEgress From(NotificationOptions options) =>
        TryParse(options.WebhookBlockedNetworks, out var egress, out var error) ? egress : throw new InvalidOperationException(error);

    /// <summary>Reads a comma-separated list of CIDR networks or single addresses.</summary>
    public static bool TryParse(string? spec, out WebhookEgress egress, out string? error)
    {
        var networks = new List<IPNetwork>();
        foreach (var entry in (spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                egress = new WebhookEgress([]);
                error = $"Notifications:WebhookBlockedNetworks: '{entry}' is not a network (CIDR, e.g. 10.0.0.0/8) or an address.";
                return false;
            }
        }
        egress = new WebhookEgress([.. networks]);
        error = null;
        return true;
    }

    public bool IsBlocked(IPAddress address)
    {
        address = Unmapped(address);
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }
        foreach (var network in _blocked)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>An IPv4 address written as IPv6 (::ffff:a.b.c.d) is the IPv4 address: judged and named as such.</summary>
    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>Why a webhook may not go to <paramref name="address"/>: for the subscriber (400) and the delivery record.</summary>
    public static string Refusal(IPAddress address) =>
        $"The address {Unmapped(address)} is in a network this service does not send webhooks to (Notifications:WebhookBlockedNetworks).";
}
