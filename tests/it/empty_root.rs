//! The shipped binary in an empty root, as the image runs it: a root folder
//! holding only the statically linked binary and a CA file (no shell, no
//! git, no libc), entered with `chroot` (as root) or `unshare -r chroot`.
//! There, the bundled example's ingest and a `git:REV:PATH` diff must work.
//!
//! The binary is `$SPECRELAY_STATIC_BIN`, else the static release build
//! `target/<arch>-unknown-linux-gnu/release/specrelay` that scripts/test.sh
//! makes (`RUSTFLAGS='-C target-feature=+crt-static'`). Without it, or
//! without a way to enter a root, the test says SKIPPED and why.

use crate::support::command::run_bounded;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn static_binary() -> Option<PathBuf> {
    let path = std::env::var_os("SPECRELAY_STATIC_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(ROOT).join(format!(
                "target/{}-unknown-linux-gnu/release/specrelay",
                std::env::consts::ARCH
            ))
        });
    path.is_file().then_some(path)
}

/// The system's CA bundle, as the image's `ca` stage copies it.
fn ca_bundle() -> Option<PathBuf> {
    [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file())
}

/// Runs `/specrelay ARGS` inside `root`, with only `env`.
fn in_root(root: &Path, args: &[&str], env: &[(&str, &str)]) -> Option<Output> {
    // Resolved before the environment is cleared (no PATH inside).
    let (Some(chroot), unshare) = (program("chroot"), program("unshare")) else {
        return None;
    };
    let mut launchers: Vec<Vec<PathBuf>> = vec![vec![chroot.clone()]];
    if let Some(unshare) = unshare {
        launchers.push(vec![unshare, "-r".into(), chroot]);
    }
    for launcher in launchers {
        let mut cmd = Command::new(&launcher[0]);
        cmd.args(&launcher[1..])
            .arg(root)
            .arg("/specrelay")
            .args(args)
            .env_clear();
        for (name, value) in env {
            cmd.env(name, value);
        }
        let out = run_bounded(&mut cmd, Duration::from_secs(60));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let refused = stderr.contains("Operation not permitted")
            || stderr.contains("cannot change root")
            || stderr.contains("unshare failed");
        if !refused {
            return Some(out);
        }
    }
    None
}

/// `name` on this process's PATH.
fn program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

fn git(dir: &Path, args: &[&str]) {
    let out = run_bounded(
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args),
        Duration::from_secs(30),
    );
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_static_binary_ingests_and_diffs_git_history_in_an_empty_root() {
    let Some(binary) = static_binary() else {
        crate::support::skip::missing(
            "no static binary (build it as scripts/test.sh does, or set SPECRELAY_STATIC_BIN)",
        );
        return;
    };
    let Some(ca) = ca_bundle() else {
        crate::support::skip::unsupported("no CA bundle on this machine to put in the root");
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let r = root.path();
    std::fs::copy(&binary, r.join("specrelay")).unwrap();
    std::fs::create_dir_all(r.join("etc/ssl/certs")).unwrap();
    std::fs::copy(&ca, r.join("etc/ssl/certs/ca-certificates.crt")).unwrap();
    for dir in ["examples", "work", "repo", "tmp"] {
        std::fs::create_dir_all(r.join(dir)).unwrap();
    }
    for file in [
        "acme-pets.openapi.yaml",
        "acme-pets-1.3.0.openapi.yaml",
        "dispatch-event.json",
    ] {
        std::fs::copy(
            Path::new(ROOT).join("examples").join(file),
            r.join("examples").join(file),
        )
        .unwrap();
    }
    // The git history is made outside; inside, there is no git to read it.
    let repo = r.join("repo");
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::copy(
        r.join("examples/acme-pets.openapi.yaml"),
        repo.join("openapi.yaml"),
    )
    .unwrap();
    git(&repo, &["add", "openapi.yaml"]);
    git(&repo, &["commit", "-q", "-m", "1.2.0"]);
    git(&repo, &["gc", "-q"]); // the first version from a pack
    std::fs::copy(
        r.join("examples/acme-pets-1.3.0.openapi.yaml"),
        repo.join("openapi.yaml"),
    )
    .unwrap();
    git(&repo, &["commit", "-q", "-a", "-m", "1.3.0"]);
    let entries: Vec<String> = std::fs::read_dir(r)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !entries
            .iter()
            .any(|e| e == "bin" || e == "usr" || e == "lib"),
        "{entries:?}"
    );

    let env = [
        ("GITHUB_EVENT_NAME", "repository_dispatch"),
        ("GITHUB_EVENT_PATH", "/examples/dispatch-event.json"),
        ("SOURCE_DATE_EPOCH", "1767225600"),
    ];
    let args = [
        "ingest",
        "--workspace",
        "/work",
        "--allow-file-urls",
        "--download-url",
        "file:///examples/acme-pets.openapi.yaml",
        "--output",
        "json",
    ];
    let Some(ingest) = in_root(r, &args, &env) else {
        crate::support::skip::unsupported(
            "neither chroot nor unshare -r chroot may enter a root here",
        );
        return;
    };
    assert!(
        ingest.status.success(),
        "ingest in the empty root: {}",
        show(&ingest)
    );
    let outputs: serde_json::Value = serde_json::from_slice(&ingest.stdout).unwrap();
    assert_eq!(outputs["version"], "1.2.0", "{}", show(&ingest));
    assert!(r.join("work/openapi/latest.json").is_file());

    let diff = in_root(
        r,
        &[
            "diff",
            "--workspace",
            "/repo",
            "--base",
            "git:HEAD~1:openapi.yaml",
            "--revision",
            "git:main:openapi.yaml",
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
        &[],
    )
    .unwrap();
    assert!(
        diff.status.success(),
        "git: diff in the empty root: {}",
        show(&diff)
    );
    let report: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let breaking = report["summary"]["breaking"].as_u64().unwrap_or_default();
    assert!(breaking > 0, "1.2.0 -> 1.3.0 breaks: {}", show(&diff));
    eprintln!(
        "empty root: binary {} bytes + CA file {} bytes",
        std::fs::metadata(&binary).unwrap().len(),
        std::fs::metadata(&ca).unwrap().len()
    );
}
