//! The command line, driven as users drive it: exit codes, standard input,
//! directories, bad input, selection, suppression, fixes.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::Path;

fn imglint() -> Command {
    let mut c = Command::cargo_bin("imglint").unwrap();
    c.env_remove("NO_COLOR").env("COLUMNS", "100");
    // no user configuration, no hadolint variables from the machine
    c.env("HOME", "/nonexistent").env_remove("XDG_CONFIG_HOME");
    for (k, _) in std::env::vars() {
        if k.starts_with("HADOLINT_") || k == "IMGLINT_CONFIG" {
            c.env_remove(k);
        }
    }
    c
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

const CLEAN: &str = "FROM alpine:3.20\nUSER 10001\nCMD [\"/bin/true\"]\n";
const DIRTY: &str = "FROM alpine:latest\nRUN apk add curl\nCMD [\"/bin/true\"]\n";

#[test]
fn exit_code_zero_when_clean() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "Dockerfile", CLEAN);
    imglint()
        .arg(&f)
        .assert()
        .code(0)
        .stdout(contains("No problems found in 1 file"));
}

#[test]
fn exit_code_one_with_findings() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "Dockerfile", DIRTY);
    imglint()
        .args(["-f", "compact"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout(contains(
            ":1:6: DL3007 warning: `alpine:latest` uses the `latest` tag",
        ))
        .stdout(contains(":2:13: DL3018 warning:"));
}

#[test]
fn threshold_and_no_fail() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "Dockerfile", DIRTY);
    imglint()
        .args(["--failure-threshold", "error"])
        .arg(&f)
        .assert()
        .code(0);
    imglint().args(["-t", "warning"]).arg(&f).assert().code(1);
    imglint().arg("--no-fail").arg(&f).assert().code(0);
    imglint().arg("--exit-zero").arg(&f).assert().code(0);
}

#[test]
fn usage_errors_exit_two() {
    imglint().arg("--no-such-flag").assert().code(2);
    imglint()
        .args(["--select", "NOPE9999", "."])
        .assert()
        .code(2)
        .stderr(contains("NOPE9999"));
    imglint()
        .args(["--select", "apt-get-unpined", "."])
        .assert()
        .code(2)
        .stderr(contains("did you mean `apt-get-unpinned`"));
}

#[test]
fn reads_standard_input_under_a_given_name() {
    imglint()
        .args(["-f", "compact", "--stdin-filename", "svc/Dockerfile", "-"])
        .write_stdin(DIRTY)
        .assert()
        .code(1)
        .stdout(contains("svc/Dockerfile:1:6: DL3007"));
}

#[test]
fn directories_are_searched_honouring_gitignore() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), ".gitignore", "ignored/\n");
    write(d.path(), "Dockerfile", CLEAN);
    write(d.path(), "api/Dockerfile.prod", DIRTY);
    write(d.path(), "web/app.dockerfile", DIRTY);
    write(d.path(), ".devcontainer/Dockerfile", DIRTY);
    write(d.path(), "ignored/Dockerfile", DIRTY);
    write(d.path(), "docs/README.md", "FROM x\n");
    let out = imglint()
        .args(["-f", "compact"])
        .current_dir(d.path())
        .arg(".")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("api/Dockerfile.prod:1:6"), "{out}");
    assert!(out.contains("web/app.dockerfile:1:6"), "{out}");
    assert!(out.contains(".devcontainer/Dockerfile:1:6"), "{out}");
    assert!(!out.contains("ignored/"), "{out}");
    assert!(!out.contains("README"), "{out}");
}

#[test]
fn a_directory_without_dockerfiles_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "main.go", "package main\n");
    imglint()
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(contains("no Dockerfiles found"));
}

#[test]
fn missing_files_are_errors_and_others_are_still_linted() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "Dockerfile", DIRTY);
    imglint()
        .args(["-f", "compact"])
        .arg(d.path().join("nope/Dockerfile"))
        .arg(&f)
        .assert()
        .code(2)
        .stderr(contains("nope/Dockerfile: no such file or directory"))
        .stdout(contains("DL3007"));
}

#[test]
fn binary_and_invalid_utf8_input_are_errors_with_positions() {
    let d = tempfile::tempdir().unwrap();
    let bin = d.path().join("Dockerfile.bin");
    std::fs::write(&bin, b"FROM x\n\x00\x01\x02").unwrap();
    let latin = d.path().join("Dockerfile.latin1");
    std::fs::write(&latin, b"FROM alpine\nLABEL author=\"Jos\xe9\"\n").unwrap();
    imglint()
        .arg(&bin)
        .arg(&latin)
        .assert()
        .code(2)
        .stderr(contains("Dockerfile.bin:2:1: this is a binary file"))
        .stderr(contains(
            "Dockerfile.latin1:2:18: invalid UTF-8 (byte 0xe9)",
        ));
}

#[test]
fn broken_instructions_are_errors_with_positions() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "Dockerfile",
        "FROM alpine\nRUN <<EOF\necho never closed\n",
    );
    let g = write(
        d.path(),
        "Dockerfile.json",
        "FROM alpine\nCMD [\"echo\", 1]\n",
    );
    let h = write(
        d.path(),
        "Dockerfile.cycle",
        "FROM alpine AS a\nCOPY --from=b /x /x\nFROM alpine AS b\nCOPY --from=a /y /y\n",
    );
    let e = write(d.path(), "Dockerfile.empty", "# nothing here\n");
    imglint()
        .args([&f, &g, &h, &e])
        .assert()
        .code(2)
        .stderr(contains("Dockerfile:2:5: unterminated heredoc `EOF`"))
        .stderr(contains("Dockerfile.json:2:14: when using JSON array syntax, arrays must be comprised of strings only"))
        .stderr(contains("Dockerfile.cycle:2:13: circular dependency detected on stage `a`"))
        .stderr(contains("Dockerfile.empty:1:1: file with no instructions"));
}

#[test]
fn select_and_ignore_by_code_name_alias_and_category() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "Dockerfile", DIRTY);
    let run = |args: &[&str]| {
        let o = imglint()
            .args(["-f", "compact", "--no-fail"])
            .args(args)
            .arg(&f)
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    let only = run(&["--select", "image-tagged-latest"]);
    assert!(
        only.contains("DL3007") && !only.contains("DL3018"),
        "{only}"
    );
    let alias = run(&["--select", "DKL-DI-0006"]);
    assert!(
        alias.contains("DL3007") && !alias.contains("DL3018"),
        "{alias}"
    );
    let ignored = run(&["--ignore", "DL3007,apk-add-unpinned"]);
    assert!(
        !ignored.contains("DL3007") && !ignored.contains("DL3018"),
        "{ignored}"
    );
    let category = run(&["--select", "maintainability"]);
    assert!(
        category.contains("DL3007") && category.contains("DL3018"),
        "{category}"
    );
    let prefix = run(&["--select", "DL30"]);
    assert!(prefix.contains("DL3007"), "{prefix}");
    let severity = run(&["--error", "DL3018", "--select", "DL3018"]);
    assert!(severity.contains("DL3018 error"), "{severity}");
}

#[test]
fn registries_and_labels_from_the_command_line() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "Dockerfile",
        "FROM quay.io/acme/base:1\nLABEL org.opencontainers.image.version=v1 team=x\nUSER 10001\n",
    );
    let o = imglint()
        .args([
            "-f",
            "compact",
            "--no-fail",
            "--select",
            "DL3026,DL3049,DL3050,DL3056",
        ])
        .args(["--trusted-registry", "*.example.com"])
        .args(["--require-label", "org.opencontainers.image.version:semver"])
        .args(["--require-label", "org.opencontainers.image.source:url"])
        .arg("--strict-labels")
        .arg(&f)
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    for code in ["DL3026", "DL3049", "DL3050", "DL3056"] {
        assert!(out.contains(code), "{code} missing:\n{out}");
    }
    imglint()
        .args(["--require-label", "version:number"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(contains("--require-label version:number"));
}

#[test]
fn pragmas_suppress_findings() {
    let d = tempfile::tempdir().unwrap();
    let text = "# check=skip=JSONArgsRecommended\nFROM alpine:latest\n# hadolint ignore=DL3018\nRUN apk add curl\n# imglint ignore=cd-in-run why not\nRUN cd /x && make\nCMD echo hi\n";
    let f = write(d.path(), "Dockerfile", text);
    let o = imglint()
        .args(["-f", "compact", "--no-fail"])
        .arg(&f)
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("DL3007"), "{out}");
    assert!(
        !out.contains("DL3018") && !out.contains("DL3003") && !out.contains("DL3025"),
        "{out}"
    );
    let o = imglint()
        .args(["-f", "compact", "--no-fail", "--disable-ignore-pragma"])
        .arg(&f)
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("DL3018") && out.contains("DL3003"), "{out}");
    // BuildKit's directive is part of the file, not an inline pragma
    assert!(!out.contains("DL3025"), "{out}");
}

#[test]
fn json_report_keeps_its_keys() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "Dockerfile", DIRTY);
    let o = imglint().args(["-f", "json"]).arg(&f).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let first = &v["findings"][0];
    for key in [
        "code",
        "name",
        "severity",
        "category",
        "message",
        "help",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["code"], "DL3007");
    assert_eq!(
        (
            first["line"].as_u64(),
            first["column"].as_u64(),
            first["end_column"].as_u64()
        ),
        (Some(1), Some(6), Some(19))
    );
    assert!(v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn fix_writes_safe_fixes_and_diff_writes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let text = "FROM debian:12\nRUN apt-get install --no-install-recommends curl=7.88.1-10+deb12u8\nUSER 1000\n";
    let f = write(d.path(), "Dockerfile", text);
    imglint()
        .args(["--diff", "--select", "DL3014"])
        .arg(&f)
        .assert()
        .code(1)
        .stdout(contains("+RUN apt-get install -y --no-install-recommends"));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), text);
    imglint()
        .args(["--fix", "--select", "DL3014"])
        .arg(&f)
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8\nUSER 1000\n"
    );
    // unsafe fixes need the opt-in
    let g = write(
        d.path(),
        "Dockerfile.cmd",
        "FROM alpine:3.20\nUSER 1\nCMD nginx -g 'daemon off;'\n",
    );
    imglint()
        .args(["--fix", "--select", "DL3025"])
        .arg(&g)
        .assert()
        .code(1);
    imglint()
        .args(["--fix", "--unsafe-fixes", "--select", "DL3025"])
        .arg(&g)
        .assert()
        .code(0);
    assert!(
        std::fs::read_to_string(&g)
            .unwrap()
            .contains("CMD [\"nginx\", \"-g\", \"daemon off;\"]")
    );
}

#[test]
fn fix_on_standard_input_prints_the_fixed_text() {
    imglint()
        .args(["--fix", "--select", "DL3014", "-"])
        .write_stdin("FROM debian\nRUN apt-get install curl\n")
        .assert()
        .stdout("FROM debian\nRUN apt-get install -y curl\n");
}

#[test]
fn rules_listing_and_pages() {
    let o = imglint()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules = v.as_array().unwrap();
    let dl3008 = rules.iter().find(|r| r["code"] == "DL3008").unwrap();
    for key in [
        "code",
        "name",
        "aliases",
        "severity",
        "category",
        "default_enabled",
    ] {
        assert!(dl3008.get(key).is_some(), "{key}");
    }
    assert!(rules.iter().any(|r| {
        r["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "JSONArgsRecommended")
    }));
    imglint()
        .args(["rule", "DL3008"])
        .assert()
        .code(0)
        .stdout(contains("# apt-get-unpinned (DL3008)"))
        .stdout(contains("## Why is this bad?"));
    imglint()
        .args(["rule", "JSONArgsRecommended"])
        .assert()
        .code(0)
        .stdout(contains("DL3025"));
    imglint().args(["rule", "DL9999"]).assert().code(2);
    imglint()
        .arg("rules")
        .assert()
        .code(0)
        .stdout(contains("final-stage-runs-as-root"));
}

#[test]
fn debug_parse_dumps_json_lines() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "Dockerfile",
        "FROM alpine\nRUN <<EOF\necho hi\nEOF\n",
    );
    let o = imglint()
        .args(["debug", "parse", "--json"])
        .arg(&f)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["escape"], "\\");
    assert_eq!(v["warnings"], 0);
    assert_eq!(v["instructions"][1]["keyword"], "RUN");
    assert_eq!(v["instructions"][1]["start_line"], 2);
    assert_eq!(v["instructions"][1]["end_line"], 4);
    assert_eq!(v["instructions"][1]["heredocs"][0]["content"], "echo hi\n");
    assert_eq!(v["instructions"][1]["heredocs"][0]["expand"], true);
    imglint()
        .args(["debug", "graph"])
        .arg(&f)
        .assert()
        .code(0)
        .stdout(contains("\"stages\""));
    imglint()
        .args(["debug", "shell"])
        .arg(&f)
        .assert()
        .code(0)
        .stdout(contains("\"program\": \"echo\""));
}

#[test]
fn colour_follows_flags_and_no_color() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "Dockerfile", DIRTY);
    let plain = imglint().arg(&f).output().unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\u{1b}'));
    let forced = imglint()
        .args(["--color", "always"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&forced.stdout).contains('\u{1b}'));
    let no_color = imglint()
        .env("FORCE_COLOR", "1")
        .env("NO_COLOR", "1")
        .arg(&f)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&no_color.stdout).contains('\u{1b}'));
}

#[test]
fn output_file_receives_the_report() {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "Dockerfile", DIRTY);
    let out = d.path().join("report.sarif");
    imglint()
        .args(["-f", "sarif", "-o"])
        .arg(&out)
        .arg(&f)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["version"], "2.1.0");
}

#[test]
fn vendored_go_modules_in_the_context_are_not_downloaded() {
    let d = tempfile::tempdir().unwrap();
    let text = "FROM golang:1.23\nCOPY . .\nRUN go build -o /app\n";
    let f = write(d.path(), "svc/Dockerfile", text);
    imglint()
        .args(["--select", "IL3001", "-f", "compact"])
        .arg(&f)
        .assert()
        .code(1);
    write(d.path(), "vendor/modules.txt", "# vendored\n");
    imglint()
        .args(["--select", "IL3001"])
        .arg(&f)
        .assert()
        .code(0);
}
