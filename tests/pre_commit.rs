//! The pre-commit hooks in `.pre-commit-hooks.yaml`, run by the real
//! pre-commit in a throw-away git repository.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

/// A repository with a Dockerfile that has findings, one named the other
/// way, and an unrelated file.
fn project() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("Dockerfile"), "FROM alpine:latest\nUSER 1\n").unwrap();
    std::fs::write(
        d.path().join("api.dockerfile"),
        "FROM debian:latest\nUSER 1\n",
    )
    .unwrap();
    std::fs::write(d.path().join("README.md"), "FROM nothing\n").unwrap();
    git(d.path(), &["init", "-q"]);
    git(d.path(), &["add", "."]);
    git(d.path(), &["commit", "-qm", "init"]);
    d
}

/// `pre-commit try-repo <this repository> <hook>` in `dir`.
fn try_repo(dir: &Path, hook: &str, extra_env: &[(&str, String)]) -> (i32, String) {
    let bin_dir: PathBuf = PathBuf::from(env!("CARGO_BIN_EXE_imglint"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = dir.join(".cache-pre-commit");
    let mut cmd = Command::new("pre-commit");
    cmd.args([
        "try-repo",
        &root().to_string_lossy(),
        hook,
        "--all-files",
        "--verbose",
    ])
    .current_dir(dir)
    .env("PATH", path)
    .env("PRE_COMMIT_HOME", &home)
    .env("NO_COLOR", "1");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn system_hook_lints_dockerfile_tagged_files() {
    if !support::tool_available("pre-commit") {
        return;
    }
    let d = project();
    let (code, out) = try_repo(d.path(), "imglint-system", &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("DL3007"), "{out}");
    assert!(out.contains("alpine:latest"), "{out}");
    // identify does not tag `*.dockerfile`
    assert!(!out.contains("debian:latest"), "{out}");
}

#[test]
fn rust_hook_builds_imglint_and_covers_every_naming_convention() {
    if !support::tool_available("pre-commit") || !support::tool_available("cargo") {
        return;
    }
    let d = project();
    // a quick build: the hook compiles imglint with `cargo install`
    let target = root().join("target/pre-commit");
    let env = [
        ("CARGO_TARGET_DIR", target.to_string_lossy().to_string()),
        ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0".to_string()),
        ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16".to_string()),
        ("CARGO_PROFILE_RELEASE_DEBUG", "false".to_string()),
    ];
    let (code, out) = try_repo(d.path(), "imglint-all-names", &env);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("alpine:latest"), "{out}");
    assert!(out.contains("debian:latest"), "{out}");
    assert!(!out.contains("README"), "{out}");
    // a clean tree passes
    std::fs::write(d.path().join("Dockerfile"), "FROM alpine:3.20\nUSER 1\n").unwrap();
    std::fs::write(d.path().join("api.dockerfile"), "FROM debian:12\nUSER 1\n").unwrap();
    let (code, out) = try_repo(d.path(), "imglint", &env);
    assert_eq!(code, 0, "{out}");
}
