//! The `generate` stage's pure core: the SDK model lowered from an upgraded
//! spec ([`lower::lower`] -> [`model::Api`], [`reshape`]d for Python),
//! every naming decision ([`naming`]), the escaping of spec text for
//! generated code ([`escape`]), and one emitter per language
//! ([`typescript`], [`python`]), which share the rendering helpers here
//! and what they derive from the model alike ([`emit`]).
//! Must not do I/O: the caller reads the spec, supplies the templates and
//! writes the files.

pub mod emit;
pub mod escape;
pub mod lower;
pub mod model;
pub mod naming;
pub mod python;
pub mod reshape;
#[cfg(test)]
mod testutil;
pub mod typescript;

use std::sync::atomic::{AtomicUsize, Ordering};

pub use lower::lower;
pub use model::Api;
pub use naming::Language;

/// A template of an emitter failed to render (a user's override, usually).
#[derive(Debug, thiserror::Error)]
#[error("template {name}: {source:#}")]
pub struct TemplateError {
    pub name: String,
    #[source]
    pub source: minijinja::Error,
}

/// What every emitter's templates need: undefined variables are errors,
/// trailing newlines are kept, and `md` makes spec text inert in Markdown.
pub(crate) fn configure_common(env: &mut minijinja::Environment<'_>) {
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.add_filter("md", |s: String| escape::markdown_inline(&s));
}

/// Built-in templates of one emitter, as `(name, source)`.
pub type Templates = &'static [(&'static str, &'static str)];

/// One emitter's built-in files of `templates/<dir>/`, as `(name,
/// contents)`: each `file` is named `<dir>/<file>.j2` and holds
/// `templates/<dir>/<file><ext>` (`.j2` for templates, nothing for
/// [`StaticFiles`]), so that a name and its file cannot disagree.
macro_rules! builtin_files {
    ($dir:literal, $ext:literal, [$($file:literal),* $(,)?]) => {
        &[$((
            concat!($dir, "/", $file, ".j2"),
            include_str!(concat!("../../templates/", $dir, "/", $file, $ext)),
        )),*]
    };
}
pub(crate) use builtin_files;

/// One emitter's built-in files that print nothing from the spec (the
/// runtimes, `index.js`, `py.typed`, ...), as `(name, contents)`: shipped as
/// plain files and copied as they are, not parsed as templates. `name` is
/// the template name a user's override takes (`typescript/runtime.js.j2`);
/// an override is a template like any other and is rendered.
pub type StaticFiles = &'static [(&'static str, &'static str)];

/// A fresh environment set up by an emitter's `configure`, holding its
/// built-in templates (tests, and callers without overrides).
pub(crate) fn environment_with(
    configure: fn(&mut minijinja::Environment<'_>),
    templates: Templates,
) -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    configure(&mut env);
    for (name, source) in templates {
        env.add_template(name, source)
            .expect("built-in template parses");
    }
    env
}

/// Renders each of `templates` as `env` holds it (built in or a user's
/// override) with `ctx`, and adds each of `statics` (its override rendered
/// if `env` holds one, else its contents as they are), as
/// `(path(name), output)` sorted by path; an error names its template (the
/// first in `templates` order when several fail).
///
/// On a large spec a few files (models, client) are megabytes each and take
/// most of the time. One worker per core, the calling thread among them,
/// takes templates in the order given, so emitters list the largest first
/// and those start at once. More threads than cores would not be faster, and
/// would cost memory: each thread's allocator heap takes fresh pages, and
/// touching fresh pages is much of what a large render costs. `ctx` is
/// [discarded](crate::memory::discard) afterwards.
pub(crate) fn render_all(
    env: &minijinja::Environment<'_>,
    templates: Templates,
    statics: StaticFiles,
    ctx: minijinja::Value,
    path: impl Fn(&str) -> String + Sync,
) -> Result<Vec<(String, String)>, TemplateError> {
    let statics = copy_statics(env, statics, &ctx, &path)?;
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some((name, _)) = templates.get(index) else {
                return done;
            };
            let rendered = env
                .get_template(name)
                .and_then(|t| t.render(&ctx))
                .map(|out| (path(name), out))
                .map_err(|source| TemplateError {
                    name: (*name).to_owned(),
                    source,
                });
            done.push((index, rendered));
        }
    };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut results = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers.min(templates.len()))
            .map(|_| scope.spawn(work))
            .collect();
        let mut results = work();
        for helper in helpers {
            results.extend(
                helper
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            );
        }
        results
    });
    crate::memory::discard(ctx);
    // Template order, so that the error reported does not depend on timing.
    results.sort_by_key(|(index, _)| *index);
    let mut files = results
        .into_iter()
        .map(|(_, rendered)| rendered)
        .collect::<Result<Vec<_>, _>>()?;
    files.extend(statics);
    files.sort();
    Ok(files)
}

/// The static files as `(path(name), contents)`: built in as they are, or
/// a user's override of the same name rendered with `ctx`.
fn copy_statics(
    env: &minijinja::Environment<'_>,
    statics: StaticFiles,
    ctx: &minijinja::Value,
    path: &impl Fn(&str) -> String,
) -> Result<Vec<(String, String)>, TemplateError> {
    let error = |name: &str, source| TemplateError {
        name: name.to_owned(),
        source,
    };
    let mut files = Vec::with_capacity(statics.len());
    for (name, contents) in statics {
        let out = match env.get_template(name) {
            Ok(template) => template.render(ctx).map_err(|e| error(name, e))?,
            Err(e) if e.kind() == minijinja::ErrorKind::TemplateNotFound => (*contents).to_owned(),
            Err(e) => return Err(error(name, e)),
        };
        files.push((path(name), out));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATIC: StaticFiles = &[("t/runtime.js.j2", "let x = {{ 1 }};\n")];

    fn render(env: &minijinja::Environment<'_>) -> Vec<(String, String)> {
        let ctx = minijinja::Value::from_serialize(serde_json::json!({ "name": "pets" }));
        render_all(env, &[], STATIC, ctx, |n| n.trim_end_matches(".j2").into()).unwrap()
    }

    #[test]
    fn a_static_file_is_copied_as_it_is_and_an_override_is_rendered() {
        let env = minijinja::Environment::new();
        let copied = render(&env);
        assert_eq!(
            copied,
            [("t/runtime.js".into(), "let x = {{ 1 }};\n".into())]
        );

        let mut env = minijinja::Environment::new();
        env.add_template("t/runtime.js.j2", "// {{ name }}")
            .unwrap();
        assert_eq!(render(&env), [("t/runtime.js".into(), "// pets".into())]);
    }
}
