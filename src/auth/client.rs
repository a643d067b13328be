//! The client's address, for throttles and the audit trail. Behind reverse proxies every
//! request comes from a proxy, so the address is read from `X-Forwarded-For` — but only as many
//! hops from the right as there are proxies of our own (`trusted_proxies`): entries further left
//! were written by the client and prove nothing.

use std::net::{IpAddr, SocketAddr};

use actix_web::http::header::HeaderMap;

pub fn address(
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    trusted_proxies: usize,
) -> Option<String> {
    let peer = peer.map(|p| p.ip());
    if trusted_proxies == 0 {
        return peer.map(|ip| ip.to_string());
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .map(|hop| hop.parse::<IpAddr>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    // The last proxy's own peer is `peer`; it appended the address it saw, and so on leftwards.
    hops.len()
        .checked_sub(trusted_proxies)
        .and_then(|i| hops.get(i))
        .or(peer.as_ref())
        .map(|ip| ip.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            HeaderName::from_static("x-forwarded-for"),
            HeaderValue::from_str(xff).unwrap(),
        );
        h
    }

    #[test]
    fn only_our_own_proxies_are_believed() {
        let peer = Some("10.0.0.5:443".parse().unwrap());
        // No proxies of ours: the header is the client's word, ignored.
        assert_eq!(
            address(peer, &headers("1.2.3.4"), 0).as_deref(),
            Some("10.0.0.5")
        );
        // One proxy: the rightmost entry is what it saw; a forged entry to its left is not used.
        assert_eq!(
            address(peer, &headers("6.6.6.6, 203.0.113.9"), 1).as_deref(),
            Some("203.0.113.9")
        );
        // Two proxies.
        assert_eq!(
            address(peer, &headers("6.6.6.6, 203.0.113.9, 10.0.0.7"), 2).as_deref(),
            Some("203.0.113.9")
        );
        // Missing or garbled header: the peer.
        assert_eq!(
            address(peer, &HeaderMap::new(), 1).as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(
            address(peer, &headers("not an address"), 1).as_deref(),
            Some("10.0.0.5")
        );
    }
}
