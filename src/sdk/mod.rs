//! The `generate` stage's pure core: the SDK model lowered from an upgraded
//! spec ([`lower::lower`] -> [`model::Api`], [`reshape`]d for Python),
//! every naming decision ([`naming`]), the escaping of spec text for
//! generated code ([`escape`]), and one emitter per language
//! ([`typescript`], [`python`]), which share the rendering helpers here.
//! Must not do I/O: the caller reads the spec, supplies the templates and
//! writes the files.

pub mod escape;
pub mod lower;
pub mod model;
pub mod naming;
pub mod python;
pub mod reshape;
pub mod typescript;

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
/// override) with `ctx`, as `(path(name), output)` sorted by path; an error
/// names its template.
pub(crate) fn render_all(
    env: &minijinja::Environment<'_>,
    templates: Templates,
    ctx: &minijinja::Value,
    path: impl Fn(&str) -> String + Sync,
) -> Result<Vec<(String, String)>, TemplateError> {
    let render_one = |name: &str| {
        env.get_template(name)
            .and_then(|t| t.render(ctx))
            .map(|out| (path(name), out))
            .map_err(|source| TemplateError {
                name: name.to_owned(),
                source,
            })
    };
    // On a large spec a few files (models, client, README) are megabytes
    // each: one thread per file lets them render side by side. Threads, not
    // I/O: the output is the same whatever the order.
    let mut files = std::thread::scope(|scope| {
        let threads: Vec<_> = templates
            .iter()
            .map(|(name, _)| scope.spawn(|| render_one(name)))
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Result<Vec<_>, _>>()
    })?;
    files.sort();
    Ok(files)
}
