//! A DNS resolver that drops private, loopback and link-local addresses, so a
//! public-looking host name cannot lead a download into the runner's network.

use super::address::forbidden_reason;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::SocketAddr;

pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all
                .iter()
                .copied()
                .filter(|a| forbidden_reason(a.ip()).is_none())
                .collect();
            if public.is_empty() && !all.is_empty() {
                let reason = forbidden_reason(all[0].ip()).unwrap_or("private");
                return Err(format!(
                    "{host} resolves only to {reason} addresses, which are not allowed (set allow_private_network)"
                )
                .into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}
