//! Configuration as users meet it: `.imglint.toml` and `.hadolint.yaml`
//! found above each file, `--config`, `--no-config`, per-file ignores, the
//! `HADOLINT_*` variables, precedence, invalid files, and `imglint config`.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::PathBuf;

const ENV: [&str; 17] = [
    "HADOLINT_NOFAIL",
    "HADOLINT_VERBOSE",
    "HADOLINT_FORMAT",
    "HADOLINT_FAILURE_THRESHOLD",
    "HADOLINT_OVERRIDE_ERROR",
    "HADOLINT_OVERRIDE_WARNING",
    "HADOLINT_OVERRIDE_INFO",
    "HADOLINT_OVERRIDE_STYLE",
    "HADOLINT_IGNORE",
    "HADOLINT_STRICT_LABELS",
    "HADOLINT_DISABLE_IGNORE_PRAGMA",
    "HADOLINT_TRUSTED_REGISTRIES",
    "HADOLINT_ALLOWED_REGISTRIES",
    "HADOLINT_REQUIRE_LABELS",
    "IMGLINT_CONFIG",
    "XDG_CONFIG_HOME",
    "NO_COLOR",
];

/// A repository (it has `.git`, so the search for configuration stops
/// there) with its own home directory.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        Repo { dir }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.root().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// `imglint` in the repository root, compact output by default.
    fn imglint(&self) -> Command {
        let mut c = Command::cargo_bin("imglint").unwrap();
        for v in ENV {
            c.env_remove(v);
        }
        c.current_dir(self.root())
            .env("HOME", self.home())
            .env("COLUMNS", "100");
        c
    }
}

const DIRTY: &str = "FROM alpine:latest\nRUN apk add curl\nCMD [\"/bin/true\"]\n";

fn stdout(c: &mut Command) -> String {
    String::from_utf8(c.output().unwrap().stdout).unwrap()
}

/// `path CODE` for each finding of a compact report.
fn findings(report: &str) -> Vec<String> {
    report
        .lines()
        .filter_map(|l| {
            let (path, rest) = l.split_once(':')?;
            let code = rest.split_whitespace().nth(1)?;
            Some(format!("{path} {code}"))
        })
        .collect()
}

fn has(report: &str, path: &str, code: &str) -> bool {
    findings(report).contains(&format!("{path} {code}"))
}

#[test]
fn the_nearest_configuration_applies_to_each_file() {
    let r = Repo::new();
    r.write("Dockerfile", DIRTY);
    r.write("svc/api/Dockerfile", DIRTY);
    r.write("web/Dockerfile", DIRTY);
    r.write(".imglint.toml", "ignore = [\"DL3007\"]\n");
    r.write("svc/.imglint.toml", "ignore = [\"apk-add-unpinned\"]\n");
    let out = stdout(r.imglint().args(["-f", "compact", "."]));
    assert!(!has(&out, "Dockerfile", "DL3007"), "{out}");
    assert!(has(&out, "Dockerfile", "DL3018"), "{out}");
    assert!(!has(&out, "web/Dockerfile", "DL3007"), "{out}");
    // nearest wins, whole: the root's ignore does not reach svc/
    assert!(has(&out, "svc/api/Dockerfile", "DL3007"), "{out}");
    assert!(!has(&out, "svc/api/Dockerfile", "DL3018"), "{out}");
    // the same from a subdirectory, with a relative path going up
    let out = stdout(r.imglint().current_dir(r.root().join("web")).args([
        "-f",
        "compact",
        "../svc/api/Dockerfile",
        "Dockerfile",
    ]));
    assert!(has(&out, "../svc/api/Dockerfile", "DL3007"), "{out}");
    assert!(!has(&out, "Dockerfile", "DL3007"), "{out}");
}

#[test]
fn the_search_stops_at_the_repository_root() {
    let r = Repo::new();
    std::fs::write(
        r.dir.path().join(".imglint.toml"),
        "ignore = [\"DL3007\"]\n",
    )
    .unwrap();
    r.write("Dockerfile", DIRTY);
    let out = stdout(r.imglint().args(["-f", "compact", "Dockerfile"]));
    assert!(has(&out, "Dockerfile", "DL3007"), "{out}");
}

#[test]
fn config_flag_overrides_discovery_and_no_config_disables_it() {
    let r = Repo::new();
    r.write("Dockerfile", DIRTY);
    r.write("svc/Dockerfile", DIRTY);
    r.write(".imglint.toml", "ignore = [\"DL3007\"]\n");
    r.write("svc/.imglint.toml", "ignore = [\"DL3018\"]\n");
    r.write("ci/strict.toml", "ignore = [\"DL3019\"]\n");
    let out = stdout(
        r.imglint()
            .args(["-f", "compact", "--config", "ci/strict.toml", "."]),
    );
    for f in ["Dockerfile", "svc/Dockerfile"] {
        assert!(has(&out, f, "DL3007") && has(&out, f, "DL3018"), "{out}");
        assert!(!has(&out, f, "DL3019"), "{out}");
    }
    // IMGLINT_CONFIG does the same
    let out = stdout(
        r.imglint()
            .env("IMGLINT_CONFIG", "ci/strict.toml")
            .args(["-f", "compact", "."]),
    );
    assert!(
        has(&out, "Dockerfile", "DL3007") && !has(&out, "Dockerfile", "DL3019"),
        "{out}"
    );
    for flag in ["--no-config", "--isolated"] {
        let out = stdout(
            r.imglint()
                .env("IMGLINT_CONFIG", "ci/strict.toml")
                .args(["-f", "compact", flag, "."]),
        );
        for f in ["Dockerfile", "svc/Dockerfile"] {
            for code in ["DL3007", "DL3018", "DL3019"] {
                assert!(has(&out, f, code), "{flag} {f} {code}: {out}");
            }
        }
    }
    r.imglint()
        .args(["--config", "missing.toml", "Dockerfile"])
        .assert()
        .code(2)
        .stderr(contains("missing.toml: no such file or directory"));
}

#[test]
fn per_file_ignores_match_globs_relative_to_the_configuration() {
    let r = Repo::new();
    r.write("Dockerfile", DIRTY);
    r.write("legacy/old/Dockerfile", DIRTY);
    r.write("svc/api.dev.Dockerfile", DIRTY);
    r.write(
        ".imglint.toml",
        "[per-file-ignores]\n\"legacy/**\" = [\"DL3018\", \"image-tagged-latest\"]\n\"*.dev.Dockerfile\" = [\"security\"]\n",
    );
    let out = stdout(r.imglint().args(["-f", "compact", "."]));
    assert!(has(&out, "Dockerfile", "DL3018"), "{out}");
    assert!(has(&out, "Dockerfile", "IL4001"), "{out}");
    assert!(!has(&out, "legacy/old/Dockerfile", "DL3018"), "{out}");
    assert!(!has(&out, "legacy/old/Dockerfile", "DL3007"), "{out}");
    assert!(has(&out, "legacy/old/Dockerfile", "DL3019"), "{out}");
    assert!(!has(&out, "svc/api.dev.Dockerfile", "IL4001"), "{out}");
    assert!(has(&out, "svc/api.dev.Dockerfile", "DL3018"), "{out}");
    // standard input is matched by the name it is given
    let out = stdout(
        r.imglint()
            .args([
                "-f",
                "compact",
                "--stdin-filename",
                "legacy/x/Dockerfile",
                "-",
            ])
            .write_stdin(DIRTY),
    );
    assert!(!has(&out, "legacy/x/Dockerfile", "DL3018"), "{out}");
    assert!(has(&out, "legacy/x/Dockerfile", "DL3019"), "{out}");
}

#[test]
fn a_hadolint_setup_works_unchanged() {
    let r = Repo::new();
    r.write(
        "Dockerfile",
        "FROM quay.io/org/app:latest\nRUN apk add curl\n# hadolint ignore=DL3019\nRUN apk add git\nCMD [\"/bin/true\"]\n",
    );
    r.write(
        ".hadolint.yaml",
        "# as written for hadolint\nignored:\n  - DL3018\n  - SC2086\noverride:\n  error:\n    - DL3007\n  style:\n    - DL3019\ntrustedRegistries:\n  - docker.io\n  - gcr.io\nfailure-threshold: error\nformat: json\n",
    );
    let out = r.imglint().arg("Dockerfile").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(
        codes.contains(&("DL3007".into(), "error".into(), 1)),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("DL3026".into(), "error".into(), 1)),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("DL3019".into(), "style".into(), 2)),
        "{codes:?}"
    );
    assert!(!codes.iter().any(|c| c.0 == "DL3018"), "{codes:?}");
    // the pragma still works
    assert!(
        !codes.iter().any(|c| c.0 == "DL3019" && c.2 == 4),
        "{codes:?}"
    );
    // the `.yml` spelling, with a threshold nothing reaches
    std::fs::remove_file(r.root().join(".hadolint.yaml")).unwrap();
    r.write(
        ".hadolint.yml",
        "failure-threshold: error\nno-fail: false\n",
    );
    r.imglint()
        .args(["-f", "compact", "Dockerfile"])
        .assert()
        .code(0);
}

#[test]
fn disable_ignore_pragma_and_labels_from_hadolint_configuration() {
    let r = Repo::new();
    r.write(
        "Dockerfile",
        "FROM alpine:3.20\n# hadolint ignore=DL3018\nRUN apk add --no-cache curl\nUSER 1\n",
    );
    r.write(
        ".hadolint.yaml",
        "disable-ignore-pragma: true\nlabel-schema:\n  maintainer: email\nstrict-labels: true\n",
    );
    let out = stdout(r.imglint().args(["-f", "compact", "Dockerfile"]));
    assert!(has(&out, "Dockerfile", "DL3018"), "{out}");
    assert!(has(&out, "Dockerfile", "DL3049"), "{out}");
}

#[test]
fn the_user_configuration_is_the_last_resort() {
    let r = Repo::new();
    r.write("Dockerfile", DIRTY);
    std::fs::write(r.home().join(".hadolint.yaml"), "ignored: [DL3007]\n").unwrap();
    let out = stdout(r.imglint().args(["-f", "compact", "Dockerfile"]));
    assert!(!has(&out, "Dockerfile", "DL3007"), "{out}");
    std::fs::create_dir_all(r.home().join(".config/imglint")).unwrap();
    std::fs::write(
        r.home().join(".config/imglint/config.toml"),
        "ignore = [\"DL3018\"]\n",
    )
    .unwrap();
    let out = stdout(r.imglint().args(["-f", "compact", "Dockerfile"]));
    assert!(has(&out, "Dockerfile", "DL3007"), "{out}");
    assert!(!has(&out, "Dockerfile", "DL3018"), "{out}");
    // a file in the repository beats both
    r.write(".imglint.toml", "");
    let out = stdout(r.imglint().args(["-f", "compact", "Dockerfile"]));
    assert!(
        has(&out, "Dockerfile", "DL3007") && has(&out, "Dockerfile", "DL3018"),
        "{out}"
    );
}

#[test]
fn environment_variables_rank_below_the_file_and_above_the_defaults() {
    let r = Repo::new();
    r.write("Dockerfile", DIRTY);
    // the environment alone
    r.imglint()
        .env("HADOLINT_IGNORE", "DL3007,SC2086")
        .env("HADOLINT_NOFAIL", "1")
        .args(["-f", "compact", "Dockerfile"])
        .assert()
        .code(0)
        .stdout(contains("DL3007").not())
        .stdout(contains("DL3018"));
    r.imglint()
        .env("HADOLINT_FAILURE_THRESHOLD", "error")
        .env("HADOLINT_OVERRIDE_ERROR", "DL3018")
        .args(["-f", "compact", "Dockerfile"])
        .assert()
        .code(1)
        .stdout(contains("DL3018 error"));
    r.imglint()
        .env("HADOLINT_FORMAT", "json")
        .arg("Dockerfile")
        .assert()
        .stdout(contains("\"findings\""));
    // a configuration file wins over the environment, as in hadolint
    // (hadolint-action always sets HADOLINT_NOFAIL and the threshold)
    r.write(".hadolint.yaml", "failure-threshold: error\n");
    r.imglint()
        .env("HADOLINT_FAILURE_THRESHOLD", "info")
        .env("HADOLINT_NOFAIL", "false")
        .args(["-f", "compact", "Dockerfile"])
        .assert()
        .code(0);
    // lists add up: the file's and the environment's ignores both apply
    r.write(".imglint.toml", "ignore = [\"DL3018\"]\n");
    let out =
        stdout(
            r.imglint()
                .env("HADOLINT_IGNORE", "DL3007")
                .args(["-f", "compact", "Dockerfile"]),
        );
    assert!(
        !has(&out, "Dockerfile", "DL3007") && !has(&out, "Dockerfile", "DL3018"),
        "{out}"
    );
    // bad values are usage errors naming the variable
    r.imglint()
        .env("HADOLINT_FORMAT", "checkstyle")
        .arg("Dockerfile")
        .assert()
        .code(2)
        .stderr(contains(
            "HADOLINT_FORMAT: imglint has no `checkstyle` format",
        ));
}

#[test]
fn the_command_line_wins_over_the_file() {
    let r = Repo::new();
    r.write("Dockerfile", DIRTY);
    r.write(
        ".imglint.toml",
        "ignore = [\"DL3007\"]\nfailure-threshold = \"error\"\nformat = \"json\"\n",
    );
    // the file's format and threshold
    r.imglint()
        .arg("Dockerfile")
        .assert()
        .code(0)
        .stdout(contains("\"findings\""));
    // the command line's
    r.imglint()
        .args([
            "-f",
            "compact",
            "-t",
            "info",
            "--extend-select",
            "DL3007",
            "Dockerfile",
        ])
        .assert()
        .code(1)
        .stdout(contains("DL3007 warning"));
    r.imglint()
        .args(["-f", "compact", "--error", "DL3018", "Dockerfile"])
        .assert()
        .code(1)
        .stdout(contains("DL3018 error"));
}

#[test]
fn thresholds_are_per_file() {
    let r = Repo::new();
    r.write("strict/Dockerfile", DIRTY);
    r.write("lax/Dockerfile", DIRTY);
    r.write("lax/.imglint.toml", "no-fail = true\n");
    r.imglint().args(["-f", "compact", "lax"]).assert().code(0);
    r.imglint().args(["-f", "compact", "."]).assert().code(1);
    r.write("strict/.imglint.toml", "failure-threshold = \"error\"\n");
    r.imglint().args(["-f", "compact", "."]).assert().code(0);
}

#[test]
fn invalid_configuration_is_an_error_with_its_position_and_other_files_are_linted() {
    let r = Repo::new();
    r.write("good/Dockerfile", DIRTY);
    r.write("bad/Dockerfile", DIRTY);
    r.write("bad/sub/Dockerfile", DIRTY);
    r.write(
        "bad/.imglint.toml",
        "ignore = [\"DL3008\"]\nno-fail = \"yes\"\n",
    );
    r.imglint()
        .args(["-f", "compact", "good", "bad"])
        .assert()
        .code(2)
        .stdout(contains("good/Dockerfile:1:6: DL3007"))
        .stdout(contains("bad/Dockerfile:").not())
        .stderr(contains(
            "bad/.imglint.toml:2:11: invalid type: string \"yes\", expected a boolean",
        ))
        // reported once for the two files it governs
        .stderr(contains("bad/.imglint.toml").count(1));
    r.write(
        "bad/.imglint.toml",
        "select = [\"DL3007\", \"apt-get-unpined\"]\n",
    );
    r.imglint()
        .args(["bad/Dockerfile"])
        .assert()
        .code(2)
        .stderr(contains(
            "bad/.imglint.toml:1:21: `apt-get-unpined` is not a rule code, name, alias or category (did you mean `apt-get-unpinned`?)",
        ));
    r.write("bad/.imglint.toml", "selct = []\n");
    r.imglint()
        .args(["bad/Dockerfile"])
        .assert()
        .code(2)
        .stderr(contains("bad/.imglint.toml:1:1: unknown field `selct`"));
    std::fs::remove_file(r.root().join("bad/.imglint.toml")).unwrap();
    r.write(
        "bad/.hadolint.yaml",
        "ignored:\n  - DL3008\n failure-threshold: error\n",
    );
    r.imglint()
        .args(["-f", "json", "bad/Dockerfile"])
        .assert()
        .code(2)
        .stdout(contains("\"errors\""))
        .stderr(contains("bad/.hadolint.yaml:3:").and(contains("invalid YAML")));
    r.write("bad/.hadolint.yaml", "no-fail: 1\n");
    r.imglint()
        .args(["bad/Dockerfile"])
        .assert()
        .code(2)
        .stderr(contains(
            "bad/.hadolint.yaml:1:10: `no-fail` must be true or false, not a string",
        ));
}

#[test]
fn unknown_hadolint_keys_are_warned_about_once() {
    let r = Repo::new();
    r.write("a/Dockerfile", DIRTY);
    r.write("b/Dockerfile", DIRTY);
    r.write(".hadolint.yaml", "ignore:\n  - DL3007\n");
    r.imglint()
        .args(["-f", "compact", "."])
        .assert()
        .code(1)
        .stderr(
            contains(
                "imglint: warning: .hadolint.yaml:1:1: unknown key `ignore` (did you mean `ignored`?); it is ignored",
            )
            .count(1),
        );
}

#[test]
fn extend_inherits_a_shared_configuration() {
    let r = Repo::new();
    r.write("svc/Dockerfile", DIRTY);
    r.write(".imglint.toml", "ignore = [\"DL3007\"]\n");
    r.write(
        "svc/.imglint.toml",
        "extend = \"../.imglint.toml\"\nextend-select = [\"DL3007\"]\nignore = [\"DL3018\"]\n",
    );
    let out = stdout(r.imglint().args(["-f", "compact", "svc"]));
    assert!(has(&out, "svc/Dockerfile", "DL3007"), "{out}");
    assert!(!has(&out, "svc/Dockerfile", "DL3018"), "{out}");
}

#[test]
fn verbose_names_each_file_configuration() {
    let r = Repo::new();
    r.write("Dockerfile", DIRTY);
    r.write("svc/Dockerfile", DIRTY);
    r.write("svc/.hadolint.yaml", "");
    r.imglint()
        .args(["-f", "compact", "--verbose", "."])
        .env("HADOLINT_NOFAIL", "0")
        .assert()
        .stderr(contains("imglint: environment: HADOLINT_NOFAIL"))
        .stderr(contains("imglint: Dockerfile: no configuration file"))
        .stderr(contains("imglint: svc/Dockerfile: svc/.hadolint.yaml"));
}

#[test]
fn config_command_shows_the_resolved_settings_and_their_source() {
    let r = Repo::new();
    r.write("Dockerfile", DIRTY);
    r.write("legacy/Dockerfile", DIRTY);
    r.write(
        ".imglint.toml",
        "ignore = [\"DL3007\"]\nfailure-threshold = \"warning\"\ntrusted-registries = [\"docker.io\"]\n[severity]\nDL3018 = \"error\"\n[per-file-ignores]\n\"legacy/*\" = [\"DL3019\"]\n[rules.untrusted-registry]\nallow = [\"x\"]\n",
    );
    let out = r
        .imglint()
        .env("HADOLINT_STRICT_LABELS", "1")
        .args([
            "config",
            "--json",
            "--build-arg",
            "V=1",
            "Dockerfile",
            "legacy/Dockerfile",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["environment"],
        serde_json::json!(["HADOLINT_STRICT_LABELS"])
    );
    let f = &v["files"][0];
    assert_eq!(f["file"], "Dockerfile");
    assert_eq!(f["config"]["path"], ".imglint.toml");
    assert_eq!(f["config"]["kind"], "imglint");
    assert_eq!(f["failure-threshold"], "warning");
    assert_eq!(f["strict-labels"], true);
    assert_eq!(f["trusted-registries"], serde_json::json!(["docker.io"]));
    assert_eq!(f["build-args"], serde_json::json!({"V": "1"}));
    assert_eq!(
        f["rule-options"],
        serde_json::json!({"untrusted-registry": {"allow": ["x"]}})
    );
    let changed = f["rules"]["changed"].as_array().unwrap();
    assert!(
        changed
            .iter()
            .any(|c| c["code"] == "DL3007" && c["enabled"] == false)
    );
    assert!(
        changed
            .iter()
            .any(|c| c["code"] == "DL3018" && c["severity"] == "error")
    );
    assert_eq!(
        v["files"][1]["per-file-ignores"],
        serde_json::json!(["legacy/*"])
    );

    r.imglint()
        .args(["config", "Dockerfile"])
        .assert()
        .code(0)
        .stdout(contains(
            "Dockerfile\n  configuration: .imglint.toml (imglint)\n",
        ))
        .stdout(contains("  failure-threshold: warning\n"))
        .stdout(contains("    DL3007 image-tagged-latest: off\n"))
        .stdout(contains(
            "    DL3018 apk-add-unpinned: error (by default warning)\n",
        ));
    r.imglint()
        .args(["config", "--no-config"])
        .assert()
        .code(0)
        .stdout(contains("(the working directory)\n  configuration: none\n"));
    r.write(".imglint.toml", "ignore = 3\n");
    r.imglint()
        .args(["config"])
        .assert()
        .code(2)
        .stderr(contains(".imglint.toml:1:10: invalid type: integer `3`"));
}

#[test]
fn the_config_file_does_not_change_other_commands() {
    let r = Repo::new();
    r.write(".imglint.toml", "this is not toml\n");
    r.imglint().args(["rule", "DL3007"]).assert().code(0);
}

#[test]
fn the_readme_example_is_a_valid_configuration() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme.split("## Configuration").nth(1).unwrap();
    let block = section
        .split("```toml\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    let parsed = imglint::config::parse_toml(
        std::path::Path::new("README.md"),
        std::path::Path::new("/repo"),
        block,
    )
    .unwrap_or_else(|e| {
        panic!(
            "README.md example: {:?}:{:?}: {}",
            e.line, e.column, e.message
        )
    });
    assert!(parsed.extend.is_some());
    assert!(!parsed.layer.per_file_ignores.is_empty());
}
