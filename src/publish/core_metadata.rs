//! Python core metadata for the `publish` stage: the `METADATA` file of a
//! wheel and the `PKG-INFO` of an sdist (the same text), from a read
//! `pyproject.toml`. Pure.
//!
//! Metadata-Version 2.1: the oldest version with `Description-Content-Type`
//! and `Provides-Extra`, so every pip and every index reads it. Headers are
//! single lines; the README is the body after a blank line.

use super::pyproject::{Person, PyProject};

pub const METADATA_VERSION: &str = "2.1";

/// The metadata text: [`headers`], then the README as the body.
pub fn render(project: &PyProject) -> String {
    let mut text = String::new();
    for (name, value) in headers(project) {
        text.push_str(name);
        text.push_str(": ");
        text.push_str(&header_value(&value));
        text.push('\n');
    }
    if let Some(readme) = &project.readme {
        text.push('\n');
        text.push_str(&readme.text);
        if !readme.text.ends_with('\n') {
            text.push('\n');
        }
    }
    text
}

/// The metadata fields as (header, value) pairs, in the order the
/// specification lists them; a repeated field appears once per value. The
/// upload form sends the same fields.
pub fn headers(project: &PyProject) -> Vec<(&'static str, String)> {
    let mut headers: Vec<(&str, String)> = vec![
        ("Metadata-Version", METADATA_VERSION.into()),
        ("Name", project.name.clone()),
        ("Version", project.version.clone()),
    ];
    if let Some(summary) = &project.description {
        headers.push(("Summary", summary.clone()));
    }
    if !project.keywords.is_empty() {
        headers.push(("Keywords", project.keywords.join(",")));
    }
    push_people(&mut headers, "Author", &project.authors);
    push_people(&mut headers, "Maintainer", &project.maintainers);
    if let Some(license) = &project.license {
        headers.push(("License", license.clone()));
    }
    for classifier in &project.classifiers {
        headers.push(("Classifier", classifier.clone()));
    }
    for (label, url) in &project.urls {
        headers.push(("Project-URL", format!("{label}, {url}")));
    }
    if let Some(requires) = &project.requires_python {
        headers.push(("Requires-Python", requires.clone()));
    }
    for dependency in &project.dependencies {
        headers.push(("Requires-Dist", dependency.clone()));
    }
    for (extra, dependencies) in &project.optional_dependencies {
        headers.push(("Provides-Extra", extra.clone()));
        for dependency in dependencies {
            headers.push(("Requires-Dist", with_extra(dependency, extra)));
        }
    }
    if let Some(readme) = &project.readme {
        headers.push(("Description-Content-Type", readme.content_type.clone()));
    }
    headers
}

/// As PEP 621 maps people: those with an email go in `Author-email` as
/// `Name <email>`, those with only a name in `Author`.
fn push_people(headers: &mut Vec<(&'static str, String)>, role: &'static str, people: &[Person]) {
    let names: Vec<&str> = people
        .iter()
        .filter(|p| p.email.is_none())
        .filter_map(|p| p.name.as_deref())
        .collect();
    if !names.is_empty() {
        headers.push((role, names.join(", ")));
    }
    let emails: Vec<String> = people
        .iter()
        .filter_map(|p| {
            let email = p.email.as_deref()?;
            Some(match &p.name {
                Some(name) => format!("{name} <{email}>"),
                None => email.to_owned(),
            })
        })
        .collect();
    if !emails.is_empty() {
        let header = if role == "Author" {
            "Author-email"
        } else {
            "Maintainer-email"
        };
        headers.push((header, emails.join(", ")));
    }
}

/// A dependency of an extra: its own marker, if any, and `extra == "name"`.
fn with_extra(dependency: &str, extra: &str) -> String {
    match dependency.split_once(';') {
        Some((requirement, marker)) => {
            format!(
                "{}; ({}) and extra == \"{extra}\"",
                requirement.trim(),
                marker.trim()
            )
        }
        None => format!("{}; extra == \"{extra}\"", dependency.trim()),
    }
}

/// Line breaks in a header value would end the header: fold them into
/// RFC 822 continuation lines (a newline and eight spaces), as setuptools does
/// for the License field.
fn header_value(value: &str) -> String {
    value.trim_end().replace('\n', "\n        ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::pyproject::{Readme, Source};

    pub(crate) fn project() -> PyProject {
        PyProject {
            name: "acme-pets".into(),
            version: "1.2.0".into(),
            description: Some("Pets client".into()),
            readme: Some(Readme {
                content_type: "text/markdown".into(),
                text: "# Pets\n\nUse it.".into(),
            }),
            requires_python: Some(">=3.9".into()),
            dependencies: vec!["httpx>=0.23,<1".into()],
            optional_dependencies: [(
                "speed".to_owned(),
                vec!["orjson>=3; python_version >= \"3.9\"".to_owned()],
            )]
            .into(),
            license: Some("MIT".into()),
            authors: vec![
                Person {
                    name: Some("Acme".into()),
                    email: Some("dev@acme.invalid".into()),
                },
                Person {
                    name: Some("Bo".into()),
                    email: None,
                },
            ],
            maintainers: vec![],
            keywords: vec!["pets".into(), "api".into()],
            classifiers: vec!["Typing :: Typed".into()],
            urls: vec![("Homepage".into(), "https://acme.invalid".into())],
            scripts: Default::default(),
            gui_scripts: Default::default(),
            build_backend: Some("hatchling.build".into()),
            sources: vec![Source {
                path: "src/acme_pets".into(),
                installs_as: "acme_pets".into(),
            }],
        }
    }

    #[test]
    fn renders_headers_and_body() {
        assert_eq!(
            render(&project()),
            "Metadata-Version: 2.1\n\
             Name: acme-pets\n\
             Version: 1.2.0\n\
             Summary: Pets client\n\
             Keywords: pets,api\n\
             Author: Bo\n\
             Author-email: Acme <dev@acme.invalid>\n\
             License: MIT\n\
             Classifier: Typing :: Typed\n\
             Project-URL: Homepage, https://acme.invalid\n\
             Requires-Python: >=3.9\n\
             Requires-Dist: httpx>=0.23,<1\n\
             Provides-Extra: speed\n\
             Requires-Dist: orjson>=3; (python_version >= \"3.9\") and extra == \"speed\"\n\
             Description-Content-Type: text/markdown\n\
             \n\
             # Pets\n\nUse it.\n"
        );
    }

    #[test]
    fn multi_line_values_stay_in_their_header() {
        let mut p = project();
        p.license = Some("MIT\nCopyright Acme\n".into());
        let text = render(&p);
        assert!(
            text.contains("License: MIT\n        Copyright Acme\nClassifier"),
            "{text}"
        );
    }
}
