//! Who a request comes from, for throttling (SPEC §8): the socket peer, or,
//! when the peer is a trusted proxy, the right-most `X-Forwarded-For`
//! address that is not itself a trusted proxy. IPv6 addresses count per /64,
//! since one subscriber usually holds a whole /64.
use std::net::IpAddr;

use ipnet::{IpNet, Ipv6Net};

/// The throttling key of a request from `peer` with `forwarded_for` (every
/// `X-Forwarded-For` header value, in order), given the `trusted` proxies.
pub fn client_key(peer: IpAddr, forwarded_for: &[&str], trusted: &[IpNet]) -> String {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer;
    if is_trusted(&peer) {
        let hops: Vec<&str> = forwarded_for
            .iter()
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        for hop in hops.iter().rev() {
            // An unreadable hop was written by someone we don't trust: stop there.
            let Ok(ip) = hop.parse::<IpAddr>() else {
                break;
            };
            client = ip;
            if !is_trusted(&ip) {
                break;
            }
        }
    }
    key(client)
}

fn key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => Ipv6Net::new(v6, 64)
                .map(|net| net.trunc().to_string())
                .unwrap_or_else(|_| v6.to_string()),
        },
    }
}

/// Reads `IMET_TRUSTED_PROXIES`: comma-separated addresses or CIDR blocks.
pub fn parse_trusted(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{item:?} is not an IP address or CIDR block"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_behind_trusted_proxies() {
        let trusted = parse_trusted("10.0.0.0/8, 192.168.1.5, fd00::/8").unwrap();
        let cases: &[(&str, &[&str], &[IpNet], &str)] = &[
            // No proxy trusted: the peer, whatever the header says.
            ("203.0.113.7", &["198.51.100.1"], &[], "203.0.113.7"),
            ("10.1.2.3", &["198.51.100.1"], &[], "10.1.2.3"),
            // A peer that is not trusted may not speak for anyone else.
            ("203.0.113.7", &["198.51.100.1"], &trusted, "203.0.113.7"),
            // The right-most untrusted hop.
            ("10.1.2.3", &["198.51.100.1"], &trusted, "198.51.100.1"),
            (
                "10.1.2.3",
                &["6.6.6.6, 198.51.100.1, 10.9.9.9"],
                &trusted,
                "198.51.100.1",
            ),
            (
                "192.168.1.5",
                &["6.6.6.6", "198.51.100.1"],
                &trusted,
                "198.51.100.1",
            ),
            // Every hop trusted: the left-most.
            ("10.1.2.3", &["10.4.4.4, 192.168.1.5"], &trusted, "10.4.4.4"),
            // No header: the proxy itself.
            ("10.1.2.3", &[], &trusted, "10.1.2.3"),
            // Garbage stops the walk at the last good hop.
            ("10.1.2.3", &["6.6.6.6, nonsense"], &trusted, "10.1.2.3"),
            // IPv6 per /64; mapped IPv4 as IPv4.
            ("2001:db8:1:2:aaaa::1", &[], &[], "2001:db8:1:2::/64"),
            ("2001:db8:1:2:bbbb::9", &[], &[], "2001:db8:1:2::/64"),
            (
                "fd00::1",
                &["2001:db8:1:3::5"],
                &trusted,
                "2001:db8:1:3::/64",
            ),
            ("::ffff:198.51.100.1", &[], &[], "198.51.100.1"),
        ];
        for (peer, header, trusted, expected) in cases {
            let peer: IpAddr = peer.parse().unwrap();
            assert_eq!(
                client_key(peer, header, trusted),
                *expected,
                "{peer} {header:?}"
            );
        }
    }

    #[test]
    fn trusted_proxy_lists() {
        assert_eq!(parse_trusted("").unwrap(), Vec::<IpNet>::new());
        assert_eq!(
            parse_trusted("10.0.0.1, 172.16.0.0/12,::1")
                .unwrap()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["10.0.0.1/32", "172.16.0.0/12", "::1/128"]
        );
        assert!(parse_trusted("10.0.0.1, proxy.example").is_err());
        assert!(parse_trusted("10.0.0.0/33").is_err());
    }
}
