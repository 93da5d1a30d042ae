//! The parts of an `.npmrc` the `publish` stage honours, so that a workflow
//! configured for npm (by `actions/setup-node`'s `registry-url`, or by hand)
//! publishes where npm would: the registry (`@scope:registry=` for the
//! package's scope, else `registry=`), and the `_authToken` npm would send
//! to that registry (`//host/path/:_authToken=`, the longest matching path).
//! Pure: the caller reads the file and looks up environment variables.
//!
//! `${NAME}` in a value is replaced as npm does; a variable that is not set
//! leaves the setting unusable, which [`Npmrc::token_for`] reports.

use url::Url;

/// `key = value` settings in file order; later ones win, as in npm.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Npmrc {
    settings: Vec<(String, String)>,
}

/// A token setting whose `${NAME}` is not set.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(".npmrc sets {key} from ${{{variable}}}, which is not set; set it or the npm_token input")]
pub struct UnsetVariable {
    pub key: String,
    pub variable: String,
}

impl Npmrc {
    /// Reads the ini-like format: `;` and `#` start comments, keys and
    /// values are trimmed, one level of quotes around a value is removed.
    pub fn parse(text: &str) -> Npmrc {
        let settings = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with(['#', ';']))
            .filter_map(|line| line.split_once('='))
            .map(|(key, value)| {
                let value = value.trim();
                let unquoted = value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(value);
                (key.trim().to_owned(), unquoted.to_owned())
            })
            .collect();
        Npmrc { settings }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The registry for `package` (`@scope/name` or `name`), if set.
    pub fn registry_for(&self, package: &str) -> Option<&str> {
        let scoped = package
            .split_once('/')
            .filter(|(scope, _)| scope.starts_with('@'))
            .and_then(|(scope, _)| self.get(&format!("{scope}:registry")));
        scoped
            .or_else(|| self.get("registry"))
            .filter(|v| !v.is_empty())
    }

    /// The `_authToken` for `registry`: the setting for the longest path of
    /// `//host[:port]/path/` that is a prefix of the registry's, with
    /// `${NAME}` replaced through `lookup`.
    pub fn token_for(
        &self,
        registry: &Url,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<String>, UnsetVariable> {
        let Some(host) = registry.host_str() else {
            return Ok(None);
        };
        let authority = match registry.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        let mut path = registry.path().to_owned();
        if !path.ends_with('/') {
            path.push('/');
        }
        loop {
            let key = format!("//{authority}{path}:_authToken");
            if let Some(value) = self.get(&key) {
                return expand(value, &lookup)
                    .map(Some)
                    .map_err(|variable| UnsetVariable { key, variable });
            }
            if path == "/" {
                return Ok(None);
            }
            let trimmed = path.trim_end_matches('/');
            path = match trimmed.rfind('/') {
                Some(i) => trimmed[..=i].to_owned(),
                None => "/".to_owned(),
            };
        }
    }
}

/// `${NAME}` replaced by `lookup(NAME)`; the first unset name is the error.
fn expand(value: &str, lookup: &impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}').map(|e| start + e) else {
            break;
        };
        let name = &rest[start + 2..end];
        let replacement = lookup(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| name.to_owned())?;
        out.push_str(&rest[..start]);
        out.push_str(&replacement);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `actions/setup-node` writes for `registry-url` and `scope`.
    const SETUP_NODE: &str = "//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}\n\
        @acme:registry=https://npm.pkg.github.com/\n\
        always-auth=false\n";

    fn env(name: &str) -> Option<String> {
        (name == "NODE_AUTH_TOKEN").then(|| "ghp_example".to_owned())
    }

    #[test]
    fn setup_node_configuration() {
        let rc = Npmrc::parse(SETUP_NODE);
        assert_eq!(
            rc.registry_for("@acme/pets"),
            Some("https://npm.pkg.github.com/")
        );
        assert_eq!(rc.registry_for("pets"), None);
        let registry = Url::parse("https://npm.pkg.github.com/").unwrap();
        assert_eq!(
            rc.token_for(&registry, env).unwrap().as_deref(),
            Some("ghp_example")
        );
        assert_eq!(
            rc.token_for(&registry, |_| None).unwrap_err().variable,
            "NODE_AUTH_TOKEN"
        );
    }

    #[test]
    fn tokens_match_the_longest_registry_path() {
        let rc = Npmrc::parse(
            "# comment\n; another\nregistry = \"http://127.0.0.1:4873/npm/\"\n\
             //127.0.0.1:4873/:_authToken=root\n\
             //127.0.0.1:4873/npm/:_authToken=npm-path\n\
             //other.example/:_authToken=elsewhere\n",
        );
        assert_eq!(rc.registry_for("pets"), Some("http://127.0.0.1:4873/npm/"));
        let at = |u: &str| rc.token_for(&Url::parse(u).unwrap(), env).unwrap();
        assert_eq!(
            at("http://127.0.0.1:4873/npm/").as_deref(),
            Some("npm-path")
        );
        assert_eq!(
            at("http://127.0.0.1:4873/npm/deeper/").as_deref(),
            Some("npm-path")
        );
        assert_eq!(at("http://127.0.0.1:4873/").as_deref(), Some("root"));
        assert_eq!(
            at("http://127.0.0.1:9999/").as_deref(),
            None,
            "port matters"
        );
        assert_eq!(at("https://registry.npmjs.org/").as_deref(), None);
    }

    #[test]
    fn later_settings_win() {
        let rc = Npmrc::parse("registry=https://a.example/\nregistry=https://b.example/\n");
        assert_eq!(rc.registry_for("x"), Some("https://b.example/"));
    }
}
