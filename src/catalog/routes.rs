//! Route conflicts: two services claiming the same route, or one service's
//! route lying inside another's (`/api` and `/api/orders`): a gateway that
//! routes by prefix would send one service's traffic to the other.
//!
//! Prefixes are compared by whole path segments (`/api` is inside
//! `/api/orders` but not `/apix`). Each route's ancestors are looked up in a
//! map, so the work grows with the number of route segments, not with the
//! square of the number of services.

use super::model::Service;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Two services whose routes collide. `a` < `b` by name, so a pair is
/// reported once whichever way round it was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Conflict {
    pub a: String,
    pub a_route: String,
    pub b: String,
    pub b_route: String,
}

impl Conflict {
    /// `same route` or `prefix`.
    pub fn kind(&self) -> &'static str {
        if self.a_route == self.b_route {
            "same route"
        } else {
            "prefix"
        }
    }
}

/// `/api/v1/` -> `/api/v1`; `` and `/` -> `/`; repeated slashes collapse.
pub fn normalise(route: &str) -> String {
    let parts: Vec<&str> = route.split('/').filter(|p| !p.is_empty()).collect();
    format!("/{}", parts.join("/"))
}

/// The route and every segment prefix of it, shortest first: `/a/b` ->
/// `/`, `/a`, `/a/b`.
fn prefixes(route: &str) -> Vec<String> {
    let mut out = vec!["/".to_owned()];
    let mut current = String::new();
    for part in route.split('/').filter(|p| !p.is_empty()) {
        current.push('/');
        current.push_str(part);
        out.push(current.clone());
    }
    out
}

/// Every conflicting pair among `services`, sorted.
pub fn conflicts<'a>(services: impl IntoIterator<Item = &'a Service>) -> Vec<Conflict> {
    let mut owners: HashMap<String, Vec<&str>> = HashMap::new();
    let mut claims: Vec<(&str, String)> = Vec::new();
    for service in services {
        let routes: BTreeSet<String> = service.routes.iter().map(|r| normalise(r)).collect();
        for route in routes {
            owners.entry(route.clone()).or_default().push(&service.name);
            claims.push((&service.name, route));
        }
    }
    let mut found = BTreeSet::new();
    for (name, route) in &claims {
        for prefix in prefixes(route) {
            for other in owners.get(&prefix).into_iter().flatten() {
                if other == name {
                    continue;
                }
                found.insert(pair(name, route, other, &prefix));
            }
        }
    }
    found.into_iter().collect()
}

fn pair(x: &str, x_route: &str, y: &str, y_route: &str) -> Conflict {
    let (a, a_route, b, b_route) = if x <= y {
        (x, x_route, y, y_route)
    } else {
        (y, y_route, x, x_route)
    };
    Conflict {
        a: a.to_owned(),
        a_route: a_route.to_owned(),
        b: b.to_owned(),
        b_route: b_route.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::{Registration, Service};

    fn service(name: &str, routes: &[&str]) -> Service {
        Service::new(
            Registration {
                name: name.into(),
                version: "1".into(),
                description: String::new(),
                endpoints: Default::default(),
                capabilities: vec![],
                routes: routes.iter().map(|r| (*r).into()).collect(),
                deployment: None,
            },
            "t",
        )
    }

    #[test]
    fn same_routes_and_segment_prefixes_conflict_once() {
        let services = [
            service("orders", &["/api/orders/", "/shared"]),
            service("api", &["/api"]),
            service("apix", &["/apix"]),
            service("pets", &["/shared", "/pets"]),
        ];
        let found = conflicts(&services);
        let summary: Vec<(String, String, &str)> = found
            .iter()
            .map(|c| (c.a.clone(), c.b.clone(), c.kind()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("api".into(), "orders".into(), "prefix"),
                ("orders".into(), "pets".into(), "same route"),
            ]
        );
        assert_eq!(found[0].a_route, "/api");
        assert_eq!(found[0].b_route, "/api/orders");
    }

    #[test]
    fn a_service_never_conflicts_with_itself() {
        assert!(conflicts(&[service("a", &["/a", "/a/b", "/a/"])]).is_empty());
        assert_eq!(normalise("//a//b/"), "/a/b");
        assert_eq!(normalise(""), "/");
    }
}
