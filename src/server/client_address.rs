//! The client's address, as sign-in throttling (and later rate limits and the audit log) see
//! it: the TCP peer, unless that peer is a proxy named in `BRIGADE_TRUSTED_PROXIES`; then the
//! right-most address of `X-Forwarded-For` that is not a trusted proxy. A client cannot choose
//! its address by sending `X-Forwarded-For` through a peer that is not trusted.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The resolved client address, in the request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<Vec<IpNet>>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(Arc::new(networks))
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }

    /// The client behind `peer`, given the request's headers.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            // A hop that is not an address ends what can be believed: the last trusted one
            // stands.
            let Ok(address) = hop.parse::<IpAddr>() else {
                return client;
            };
            client = address;
            if !self.trusts(address) {
                return address;
            }
        }
        client
    }
}

/// Puts the [`ClientAddress`] in the request for everything after it.
pub async fn resolve(
    State(proxies): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let client = proxies.client(peer.ip(), request.headers());
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}

/// Parses `BRIGADE_TRUSTED_PROXIES`: addresses or networks in CIDR form, separated by commas
/// (an address alone is that one address).
pub fn parse(text: &str) -> Result<TrustedProxies, String> {
    let mut networks = Vec::new();
    for item in text
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let network = match item.parse::<IpNet>() {
            Ok(network) => network,
            Err(_) => item
                .parse::<IpAddr>()
                .map(IpNet::from)
                .map_err(|_| format!("{item:?} is not an address or a network like 10.0.0.0/8"))?,
        };
        networks.push(network);
    }
    Ok(TrustedProxies::new(networks))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(forwarded: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn the_client_is_the_right_most_address_no_trusted_proxy_added() {
        let proxies = parse("10.0.0.0/8, 192.168.1.5").unwrap();
        let cases: [(&str, &[&str], &str); 8] = [
            // Not through a trusted proxy: the peer, whatever the header says.
            ("203.0.113.9", &["1.2.3.4"], "203.0.113.9"),
            // Through the trusted load balancer.
            ("10.0.0.2", &["198.51.100.7"], "198.51.100.7"),
            // A client's own forged entry stands left of what the proxy added.
            ("10.0.0.2", &["6.6.6.6, 198.51.100.7"], "198.51.100.7"),
            // Two trusted proxies in a row.
            ("10.0.0.2", &["198.51.100.7, 192.168.1.5"], "198.51.100.7"),
            // Several header lines are one list.
            ("10.0.0.2", &["6.6.6.6", "198.51.100.7"], "198.51.100.7"),
            // No header: the proxy itself.
            ("10.0.0.2", &[], "10.0.0.2"),
            // Garbage: the last trusted hop.
            ("10.0.0.2", &["not-an-address"], "10.0.0.2"),
            ("10.0.0.2", &["2001:db8::1"], "2001:db8::1"),
        ];
        for (peer, forwarded, client) in cases {
            assert_eq!(
                proxies.client(peer.parse().unwrap(), &headers(forwarded)),
                client.parse::<IpAddr>().unwrap(),
                "{peer} {forwarded:?}"
            );
        }
    }

    #[test]
    fn a_malformed_list_is_refused_with_the_item() {
        assert!(parse("").unwrap().0.is_empty());
        let error = parse("10.0.0.0/8, 10.0.0.0/33").unwrap_err();
        assert!(error.contains("10.0.0.0/33"), "{error}");
        assert!(parse("proxy.internal").is_err());
    }
}
