//! `ingest` with `tag: true`: a lightweight tag (`openapi-v{version}` by
//! default, input `tag_format`) on the commit that `commit: true` made,
//! created through GitHub's git refs API. The name is checked with the
//! request, before anything is written; creating it is idempotent: a tag
//! already at that commit is fine, one at another commit is an error that
//! names both.

use crate::adapters::github::GitHubError;
use crate::cli::IngestArgs;
use crate::stages::Context;
use crate::stages::common::github::{self, GitHubAuth};
use anyhow::{Context as _, Result, bail};

/// The tag's name for `version`, or `None` without `tag: true`. Refused
/// without `commit: true` (there is no commit to tag) and when the format
/// does not make a valid git tag name.
pub fn name(args: &IngestArgs, version: &semver::Version) -> Result<Option<String>> {
    if !args.tag {
        return Ok(None);
    }
    if !args.commit.commit {
        bail!(
            "tag: true tags the commit that stores the version: set commit: true too; nothing was written"
        );
    }
    let name = args.tag_format.replace("{version}", &version.to_string());
    if !args.tag_format.contains("{version}") || !valid_ref_name(&name) {
        bail!(
            "tag_format {:?} does not make a valid tag name with {{version}} in it (got {name:?}); nothing was written",
            args.tag_format
        );
    }
    Ok(Some(name))
}

/// git check-ref-format's rules for one ref name below `refs/tags/`.
fn valid_ref_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(['-', '/'])
        && !name.ends_with(['.', '/'])
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("@{")
        && name != "@"
        && name
            .split('/')
            .all(|part| !part.starts_with('.') && !part.ends_with(".lock"))
        && !name
            .chars()
            .any(|c| c.is_ascii_control() || " ~^:?*[\\".contains(c))
}

/// Tags `sha` as `tag` on the workflow's repository; the tag's name.
pub async fn create(auth: &GitHubAuth, ctx: &Context, tag: &str, sha: &str) -> Result<String> {
    let (repo, _) = github::workflow_branch(&ctx.env)?;
    let client = github::client(auth, ctx, &repo).await?;
    match client.create_tag(&repo, tag, sha).await {
        Ok(()) => {
            tracing::info!("tagged {sha} as {tag} in {repo}");
            return Ok(tag.to_owned());
        }
        Err(GitHubError::Status {
            status: 422,
            message,
            ..
        }) if message.contains("Reference already exists") => {}
        Err(e) => return Err(e).with_context(|| format!("creating tag {tag} in {repo}")),
    }
    let target = client
        .tag_target(&repo, tag)
        .await
        .with_context(|| format!("reading tag {tag} in {repo}"))?;
    match target {
        Some(target) if target == sha => {
            tracing::info!("tag {tag} in {repo} already points at {sha}");
            Ok(tag.to_owned())
        }
        Some(target) => bail!(
            "tag {tag} already exists in {repo} at {target}, not at {sha} (the commit that stores this version); \
             it was left as it is: delete it, or set tag_format to another name"
        ),
        None => bail!("GitHub says tag {tag} exists in {repo} but does not show it; try again"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names_follow_git_rules() {
        for good in ["openapi-v1.2.0", "api/1.2.0", "v1.2.0-beta.1+build.5"] {
            assert!(valid_ref_name(good), "{good}");
        }
        for bad in [
            "",
            "-v1",
            "a..b",
            "a b",
            "a:b",
            "a/",
            "a.",
            "a.lock",
            "x/.hidden",
            "a//b",
            "a@{b",
            "@",
            "a~1",
            "a^",
            "a?",
            "a*",
            "a[b",
            "a\\b",
        ] {
            assert!(!valid_ref_name(bad), "{bad}");
        }
    }
}
