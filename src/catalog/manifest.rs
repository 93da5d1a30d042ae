//! A service's version and description from its own manifest:
//! `package.json`, `Cargo.toml` (`[package]`, or `[workspace.package]`) or
//! `pyproject.toml` (`[project]`, or `[tool.poetry]`), tried in that order.
//! Pure: the caller reads the files.

/// What a manifest says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The manifest's file name, for messages.
    pub file: &'static str,
    pub version: Option<String>,
    pub description: Option<String>,
}

/// The manifest files looked at, in order.
pub const FILES: &[&str] = &["package.json", "Cargo.toml", "pyproject.toml"];

/// Reads one manifest's text; an error names the file.
pub fn parse(file: &'static str, text: &str) -> Result<Manifest, String> {
    let string = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    match file {
        "package.json" => {
            let value: serde_json::Value =
                serde_json::from_str(text).map_err(|e| format!("{file} is not JSON: {e}"))?;
            Ok(Manifest {
                file,
                version: string(value["version"].as_str()),
                description: string(value["description"].as_str()),
            })
        }
        "Cargo.toml" | "pyproject.toml" => {
            let value: toml::Table =
                toml::from_str(text).map_err(|e| format!("{file} is not TOML: {e}"))?;
            let tables: &[&[&str]] = if file == "Cargo.toml" {
                &[&["package"], &["workspace", "package"]]
            } else {
                &[&["project"], &["tool", "poetry"]]
            };
            let field = |name: &str| {
                tables.iter().find_map(|path| {
                    let mut table = &value;
                    for key in *path {
                        table = table.get(*key)?.as_table()?;
                    }
                    string(table.get(name)?.as_str())
                })
            };
            Ok(Manifest {
                file,
                version: field("version"),
                description: field("description"),
            })
        }
        _ => Err(format!("{file} is not a manifest specrelay reads")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_descriptions_from_each_manifest() {
        let npm = parse(
            "package.json",
            r#"{"name":"x","version":"1.2.3","description":"Pets"}"#,
        )
        .unwrap();
        assert_eq!(npm.version.as_deref(), Some("1.2.3"));
        assert_eq!(npm.description.as_deref(), Some("Pets"));
        let cargo = parse("Cargo.toml", "[package]\nname='x'\nversion='0.4.0'\n").unwrap();
        assert_eq!(cargo.version.as_deref(), Some("0.4.0"));
        assert_eq!(cargo.description, None);
        let py = parse(
            "pyproject.toml",
            "[tool.poetry]\nversion='2.0'\ndescription='d'\n",
        )
        .unwrap();
        assert_eq!(py.version.as_deref(), Some("2.0"));
        assert!(
            parse("package.json", "{")
                .unwrap_err()
                .contains("package.json is not JSON")
        );
    }
}
