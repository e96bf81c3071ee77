using System.Net;

namespace Zaqar.Hub.Api;

/// <summary>
/// The networks webhooks may not reach (<see cref="NotificationOptions.WebhookBlockedNetworks"/>): a tenant's
/// subscriber URL must not become a way into the service's own network, such as a cloud's instance-metadata endpoint.
/// </summary>
/// <remarks>
/// Checked twice: on the URL's literal address when a subscription is created (a 400 the tenant sees at once), and on
/// every address a webhook actually connects to, after name resolution, so a DNS name that resolves (or later
/// re-resolves) into a blocked network is refused too. Both checks judge an IPv6 address by every IPv4 address it
/// embeds as well (issue 10), so a blocked IPv4 address can't be reached through NAT64, 6to4, Teredo and the like. The
/// unspecified addresses (0.0.0.0, ::) are always refused: connecting to them reaches the local host. Immutable; thread-safe.
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

    /// <summary>
    /// Whether a webhook may not go to <paramref name="address"/>: it, or an IPv4 address it embeds
    /// (<see cref="EmbeddedIPv4"/>), is unspecified or in a blocked network.
    /// </summary>
    public bool IsBlocked(IPAddress address) => BlockedForm(address) is not null;

    /// <summary>Why a webhook may not go to <paramref name="address"/>: for the subscriber (400) and the delivery record.</summary>
    public string Refusal(IPAddress address)
    {
        var form = BlockedForm(address) ?? address;
        var named = address.IsIPv4MappedToIPv6 || form.Equals(address) ? form.ToString() : $"{address} (which embeds the IPv4 address {form})";
        return $"The address {named} is in a network this service does not send webhooks to (Notifications:WebhookBlockedNetworks).";
    }

    /// <summary>The form of <paramref name="address"/> (itself or an IPv4 address it embeds) that is blocked; null when none is.</summary>
    private IPAddress? BlockedForm(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return address;
        }
        // An embedded 0.0.0.0 is no local host (a translator never sends to it): only the blocked networks judge the forms.
        return EmbeddedIPv4(address).Prepend(address).FirstOrDefault(form => _blocked.Any(n => n.Contains(form)));
    }

    /// <summary>
    /// The IPv4 addresses an IPv6 address embeds, in every standard form that routes to (or is translated into) the
    /// IPv4 address (issue 10): IPv4-mapped (<c>::ffff:0:0/96</c>), IPv4-compatible (<c>::/96</c>), IPv4-translated
    /// (<c>::ffff:0:0:0/96</c>), NAT64 with the well-known prefix (<c>64:ff9b::/96</c>) and the local-use prefix
    /// (<c>64:ff9b:1::/48</c>, any RFC 6052 prefix length the operator may use within it: /48, /56, /64, /96), 6to4
    /// (<c>2002::/16</c>), Teredo (<c>2001::/32</c>: server and client) and ISATAP interface identifiers. An address that
    /// only looks like one of these yields a harmless extra candidate: the check errs towards refusing.
    /// </summary>
    public static IEnumerable<IPAddress> EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            yield break;
        }
        var b = address.GetAddressBytes();
        bool Zero(int from, int to) => b.AsSpan(from, to - from).IndexOfAnyExcept((byte)0) < 0;
        IPAddress V4(int i, int j, int k, int l) => new([b[i], b[j], b[k], b[l]]);
        if (Zero(0, 10) && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0)))
        {
            yield return V4(12, 13, 14, 15); // mapped, compatible
        }
        if (Zero(0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
        {
            yield return V4(12, 13, 14, 15); // translated
        }
        if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
        {
            if (Zero(4, 12))
            {
                yield return V4(12, 13, 14, 15); // NAT64, well-known prefix
            }
            else if (b[4] == 0 && b[5] == 1)
            {
                // NAT64, local-use prefix: the IPv4 bits sit where RFC 6052 puts them for each prefix length (octet 8 is "u").
                yield return V4(12, 13, 14, 15);
                yield return V4(9, 10, 11, 12);
                yield return V4(7, 9, 10, 11);
                yield return V4(6, 7, 9, 10);
            }
        }
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            yield return V4(2, 3, 4, 5); // 6to4
        }
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)
        {
            yield return V4(4, 5, 6, 7); // Teredo server
            yield return new IPAddress([(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]]); // Teredo client, obfuscated
        }
        if ((b[8] & 0xfc) == 0 && b[9] == 0 && b[10] == 0x5e && b[11] == 0xfe)
        {
            yield return V4(12, 13, 14, 15); // ISATAP interface identifier
        }
    }
}
