//! The client's IP address, as rate limits and audit events see it: the socket peer, unless the
//! peer is a trusted proxy (an ingress, a load balancer), in which case the nearest address in
//! `X-Forwarded-For` that is not itself a trusted proxy. Hops are read from the right, so a client
//! cannot choose its address by sending the header itself: only what trusted proxies appended
//! counts.

use std::{fmt, net::IpAddr, str::FromStr};

/// A trusted proxy: one address (`10.0.0.7`) or a CIDR range (`10.0.0.0/8`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedNet {
    network: IpAddr,
    prefix: u8,
}

/// An entry of `http.trusted_proxies` that is neither an IP address nor a CIDR range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadNet(String);

impl fmt::Display for BadNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not an IP address or a CIDR range such as 10.0.0.0/8", self.0)
    }
}

impl std::error::Error for BadNet {}

impl FromStr for TrustedNet {
    type Err = BadNet;

    fn from_str(text: &str) -> Result<Self, BadNet> {
        let bad = || BadNet(text.to_owned());
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let network = canonical(address.parse::<IpAddr>().map_err(|_| bad())?);
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= bits).ok_or_else(bad)?,
            None => bits,
        };
        Ok(Self { network, prefix })
    }
}

/// As written in `http.trusted_proxies`: `10.0.0.0/8`, or the bare address for one host.
impl fmt::Display for TrustedNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bits = if self.network.is_ipv4() { 32 } else { 128 };
        if self.prefix == bits {
            write!(f, "{}", self.network)
        } else {
            write!(f, "{}/{}", self.network, self.prefix)
        }
    }
}

impl TrustedNet {
    /// Whether `ip` lies in this range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                same_prefix(u32::from(net).into(), u32::from(ip).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                same_prefix(u128::from(net), u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

fn same_prefix(a: u128, b: u128, prefix: u8, bits: u32) -> bool {
    let shift = bits - u32::from(prefix);
    shift >= bits || (a >> shift) == (b >> shift)
}

/// `::ffff:10.0.0.1` (how a dual-stack socket reports an IPv4 peer) is `10.0.0.1`.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// One `X-Forwarded-For` hop: an address, possibly with a port (`1.2.3.4:80`, `[::1]:80`).
fn hop(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        .map(canonical)
}

/// The client's address of `req` (see [`resolve`]). `X-Forwarded-For` is read only when proxies
/// are trusted at all.
pub fn of_request(req: &poem::Request, trusted: &[TrustedNet]) -> Option<IpAddr> {
    let peer = req.remote_addr().as_socket_addr().map(std::net::SocketAddr::ip);
    let forwarded = (!trusted.is_empty())
        .then(|| {
            let values = req.headers().get_all("x-forwarded-for");
            values.iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",")
        })
        .filter(|joined| !joined.is_empty());
    resolve(peer, forwarded.as_deref(), trusted)
}

/// The client's address: `peer`, or, while the address in hand is a trusted proxy, the hop it
/// forwarded for (read right to left from `forwarded`, the joined `X-Forwarded-For` values). A
/// malformed hop ends the walk at the last trusted proxy.
pub fn resolve(
    peer: Option<IpAddr>,
    forwarded: Option<&str>,
    trusted: &[TrustedNet],
) -> Option<IpAddr> {
    let mut client = canonical(peer?);
    let Some(forwarded) = forwarded else { return Some(client) };
    for text in forwarded.rsplit(',') {
        if !trusted.iter().any(|net| net.contains(client)) {
            break;
        }
        match hop(text) {
            Some(ip) => client = ip,
            None => break,
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<TrustedNet> {
        list.iter().map(|n| n.parse().expect("valid")).collect()
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().expect("ip"))
    }

    #[test]
    fn ranges_parse_and_contain() {
        let net: TrustedNet = "10.0.0.0/8".parse().expect("v4 range");
        assert!(net.contains("10.255.0.1".parse().expect("ip")));
        assert!(net.contains("::ffff:10.1.2.3".parse().expect("mapped")));
        assert!(!net.contains("11.0.0.1".parse().expect("ip")));
        assert!(!net.contains("::1".parse().expect("ip")));
        let one: TrustedNet = "192.168.1.7".parse().expect("single");
        assert!(one.contains("192.168.1.7".parse().expect("ip")));
        assert!(!one.contains("192.168.1.8".parse().expect("ip")));
        let v6: TrustedNet = "fd00::/8".parse().expect("v6 range");
        assert!(v6.contains("fd12::1".parse().expect("ip")));
        let all: TrustedNet = "0.0.0.0/0".parse().expect("everything");
        assert!(all.contains("203.0.113.9".parse().expect("ip")));
        for text in ["10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1", "0.0.0.0/0"] {
            let net: TrustedNet = text.parse().expect("valid");
            assert_eq!(net.to_string(), text);
            assert_eq!(net.to_string().parse::<TrustedNet>(), Ok(net));
        }
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "example.com", "::/129", "10.0.0.0/x"] {
            assert!(bad.parse::<TrustedNet>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(resolve(ip("203.0.113.9"), Some("1.1.1.1"), &trusted), ip("203.0.113.9"));
        assert_eq!(resolve(ip("10.0.0.2"), Some("1.1.1.1"), &[]), ip("10.0.0.2"));
        assert_eq!(resolve(None, Some("1.1.1.1"), &trusted), None);
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let trusted = nets(&["10.0.0.0/8"]);
        // The client claims 6.6.6.6; the ingress appended what it saw: 198.51.100.4.
        let xff = "6.6.6.6, 198.51.100.4, 10.0.0.9";
        assert_eq!(resolve(ip("10.0.0.2"), Some(xff), &trusted), ip("198.51.100.4"));
        assert_eq!(resolve(ip("10.0.0.2"), Some("198.51.100.4"), &trusted), ip("198.51.100.4"));
        assert_eq!(
            resolve(ip("::ffff:10.0.0.2"), Some("[2001:db8::1]:443"), &trusted),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn all_trusted_gives_the_leftmost_and_garbage_stops_the_walk() {
        let trusted = nets(&["10.0.0.0/8"]);
        assert_eq!(resolve(ip("10.0.0.2"), Some("10.0.0.5, 10.0.0.9"), &trusted), ip("10.0.0.5"));
        assert_eq!(
            resolve(ip("10.0.0.2"), Some("198.51.100.4, garbage"), &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(resolve(ip("10.0.0.2"), None, &trusted), ip("10.0.0.2"));
    }

    proptest::proptest! {
        #[test]
        fn any_proxy_entry_parses_or_is_refused_and_round_trips(text in "\\PC{0,50}|[0-9a-f:.]{1,39}/[0-9]{1,3}") {
            if let Ok(net) = text.parse::<TrustedNet>() {
                let again: TrustedNet = net.to_string().parse().expect("its own spelling parses");
                proptest::prop_assert_eq!(again.to_string(), net.to_string());
            }
        }

        #[test]
        fn the_client_is_the_peer_unless_a_trusted_proxy_forwarded(
            peer in proptest::prelude::any::<[u8; 4]>(),
            forwarded in proptest::option::of("\\PC{0,80}"),
        ) {
            let peer = IpAddr::from(peer);
            let resolved = resolve(Some(peer), forwarded.as_deref(), &[]);
            proptest::prop_assert_eq!(resolved, Some(peer), "nobody trusted: the socket's peer");
            let everyone: TrustedNet = "0.0.0.0/0".parse().expect("net");
            let through = resolve(Some(peer), forwarded.as_deref(), &[everyone]);
            proptest::prop_assert!(through.is_some());
        }
    }
}
