//! `imglint image` from the command line: formats, gates, exit codes.

mod image_support;

use assert_cmd::Command;
use image_support::*;
use imglint::image::fixture::{FxCompression, research_fixture};

fn imglint() -> Command {
    let mut c = Command::cargo_bin("imglint").unwrap();
    c.env("NO_COLOR", "1");
    c
}

/// Runs `imglint image SOURCE ARGS…`, expects `code`, returns standard
/// output.
fn stdout_of(src: &str, args: &[&str], code: i32) -> String {
    let out = imglint()
        .arg("image")
        .arg(src)
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

fn fixture(dir: &TempDir) -> String {
    write(&research_fixture(), Shape::OciDir(FxCompression::Gzip), dir)
}

/// The research fixture's layers as Dockerfile instructions, written to
/// `Dockerfile` in `dir`: layer 1 is line 3, layer 2 line 4.
fn fixture_dockerfile(dir: &TempDir) -> String {
    let df = dir.join("Dockerfile");
    std::fs::write(
        &df,
        "FROM scratch\nADD rootfs.tar /\nRUN rm -rf /var/cache/apk /app/config.txt && update-data\nRUN rm -rf /usr/share/doc/* && add-notice\n",
    )
    .unwrap();
    df.display().to_string()
}

#[test]
fn text_report_and_findings_exit_1() {
    let dir = TempDir::new("cli-text");
    let src = fixture(&dir);
    let out = imglint()
        .args(["image", &src])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("3 layers"), "{text}");
    assert!(text.contains("1.6 MB reclaimable"), "{text}");
    assert!(text.contains("IL7001 (root-user, warning)"), "{text}");
    assert!(
        text.contains("no `User` is set, so containers run as root [config `User`]"),
        "{text}"
    );
    assert!(
        text.contains("7 findings (2 errors, 2 warnings, 3 info)"),
        "{text}"
    );
}

#[test]
fn json_report_has_the_stable_keys() {
    let dir = TempDir::new("cli-json");
    let src = fixture(&dir);
    let out = imglint()
        .args(["image", &src, "--format", "json", "--no-fail"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["waste"]["reclaimable_bytes"], RECLAIMABLE);
    assert_eq!(v["dive"]["efficiency"], EFFICIENCY);
    assert_eq!(v["dive"]["wasted_bytes"], WASTED);
    assert_eq!(v["dive"]["user_wasted_ratio"], USER_WASTED_RATIO);
    assert!(v["layers"].is_array() && v["findings"].is_array());
}

#[test]
fn sarif_report_is_valid() {
    let dir = TempDir::new("cli-sarif");
    let src = fixture(&dir);
    let df = dir.join("Dockerfile");
    std::fs::write(
        &df,
        "FROM scratch\nADD rootfs.tar /\nENV DB_PASSWORD=hunter2\nRUN rm -rf /var/cache/apk /app/config.txt && update-data\nRUN rm -rf /usr/share/doc/* && add-notice\nCMD [\"/app/app.sh\"]\n",
    )
    .unwrap();
    let out = imglint()
        .args(["image", &src, "-f", "sarif", "--dockerfile"])
        .arg(&df)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let results = v["runs"][0]["results"].as_array().unwrap();
    let setuid = results.iter().find(|r| r["ruleId"] == "IL7006").unwrap();
    assert_eq!(
        setuid["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    assert_eq!(setuid["level"], "note");
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    assert!(run["properties"]["gates"].is_array());
    assert_eq!(run["properties"]["reclaimableBytes"], RECLAIMABLE);
    // every result has a rule descriptor, a fingerprint and a location
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert!(r["partialFingerprints"]["primaryLocationLineHash"].is_string());
        assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
    }
    let setuid_rule = rules.iter().find(|r| r["id"] == "IL7006").unwrap();
    assert_eq!(setuid_rule["properties"]["tags"][1], "image");
    assert_eq!(setuid_rule["properties"]["aliases"][0], "CIS-DI-0008");
    // an unmapped finding is on the image: no region, logical locations
    let root = results.iter().find(|r| r["ruleId"] == "IL7001").unwrap();
    assert!(root["locations"][0]["physicalLocation"]["region"].is_null());
    assert_eq!(
        root["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "config.User"
    );
    let schema = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json"),
    )
    .unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn dockerfile_pragmas_suppress_image_findings() {
    let dir = TempDir::new("cli-pragmas");
    let src = fixture(&dir);
    let df = dir.join("Dockerfile");
    let df_arg = df.display().to_string();
    let codes = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["-f", "json", "--no-fail", "--dockerfile", &df_arg];
        args.extend_from_slice(extra);
        let out = stdout_of(&src, &args, 0);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mut codes: Vec<String> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect();
        codes.sort();
        codes
    };
    std::fs::write(
        &df,
        "# imglint global ignore=CIS-DI-0006\nFROM scratch\nADD rootfs.tar /\nENV DB_PASSWORD=hunter2\n# hadolint ignore=setuid-file,IL7005\nRUN rm -rf /var/cache/apk /app/config.txt && update-data\nRUN rm -rf /usr/share/doc/* && add-notice\nCMD [\"/app/app.sh\"]\n",
    )
    .unwrap();
    // IL7005 and IL7006 belong to layer 1 (line 6), IL7002 is file-wide
    assert_eq!(codes(&[]), ["IL7001", "IL7003", "IL7015", "IL7018"]);
    assert_eq!(
        codes(&["--disable-ignore-pragma"]),
        [
            "IL7001", "IL7002", "IL7003", "IL7005", "IL7006", "IL7015", "IL7018"
        ]
    );
}

#[test]
fn severity_overrides_and_locations_match_the_dockerfile_reports() {
    let dir = TempDir::new("cli-severity");
    let src = fixture(&dir);
    let df_name = fixture_dockerfile(&dir);
    let text = stdout_of(
        &src,
        &[
            "-f",
            "compact",
            "--select",
            "security",
            "--error",
            "setuid-file",
            "--ignore",
            "IL7003",
            "--dockerfile",
            &df_name,
        ],
        1,
    );
    assert!(
        text.contains(&format!(
            "{df_name}:3:1: IL7006 error: `/usr/local/bin/su-helper` is setuid"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("{src}: IL7001 warning: no `User` is set")),
        "{text}"
    );
    assert!(
        !text.contains("IL7003") && !text.contains("IL7018"),
        "{text}"
    );
    // --extend-select and a threshold, as for Dockerfiles
    imglint()
        .args([
            "image",
            &src,
            "--select",
            "IL7002",
            "--extend-select",
            "IL7006",
        ])
        .args(["-t", "warning"])
        .assert()
        .code(0);
}

#[test]
fn github_annotations_name_the_dockerfile_or_the_run() {
    let dir = TempDir::new("cli-github");
    let src = fixture(&dir);
    let df_name = fixture_dockerfile(&dir);
    let out = stdout_of(&src, &["-f", "github", "--dockerfile", &df_name], 1);
    // on the image: an annotation of the run, without a file
    assert!(
        out.lines()
            .any(|l| l.starts_with("::warning title=IL7001 root-user::")),
        "{out}"
    );
    // mapped to the Dockerfile: its file and line
    assert!(
        out.lines().any(|l| l.starts_with("::notice file=")
            && l.contains(",line=3,")
            && l.contains("IL7006")),
        "{out}"
    );
}

#[test]
fn gates_decide_the_exit_code() {
    let dir = TempDir::new("cli-gates");
    let src = fixture(&dir);
    // no check runs: only the gates count
    let quiet = ["--ignore", "ALL"];
    imglint()
        .args([
            "image",
            &src,
            "--min-efficiency",
            "0.5",
            "--max-wasted-bytes",
            "2000000",
        ])
        .args(quiet)
        .assert()
        .code(0);
    let out = imglint()
        .args(["image", &src, "--min-efficiency", "0.9"])
        .args(quiet)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("gate min-efficiency: FAIL"));
    imglint()
        .args(["image", &src, "--max-wasted-ratio", "2.9"])
        .args(quiet)
        .assert()
        .code(1);
    imglint()
        .args(["image", &src, "--max-wasted-ratio", "2.9", "--no-fail"])
        .args(quiet)
        .assert()
        .code(0);
    imglint()
        .args(["image", &src, "--min-efficiency", "-1"])
        .assert()
        .code(2);
}

#[test]
fn selection_and_threshold_apply_to_image_checks() {
    let dir = TempDir::new("cli-select");
    let src = fixture(&dir);
    // only an info-level check, with an error threshold: exit 0
    imglint()
        .args(["image", &src, "--select", "CIS-DI-0008", "-t", "error"])
        .assert()
        .code(0);
    let out = imglint()
        .args(["image", &src, "--select", "setuid-file", "-f", "json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["IL7006"]);
    imglint()
        .args(["image", &src, "--select", "no-such-check"])
        .assert()
        .code(2);
}

#[test]
fn bad_input_exits_2_with_a_clear_error() {
    let dir = TempDir::new("cli-bad");
    let out = imglint()
        .args(["image", &format!("oci:{}", dir.join("missing").display())])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8_lossy(&out);
    assert!(err.starts_with("imglint: error: `oci:"), "{err}");
    assert!(err.contains("help:"), "{err}");
    let junk = dir.join("junk.tar");
    std::fs::write(&junk, b"not a tar").unwrap();
    imglint().args(["image"]).arg(&junk).assert().code(2);
}

#[test]
fn configuration_files_apply_to_image_checks() {
    let dir = TempDir::new("cli-config");
    let src = fixture(&dir);
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join(".git")).unwrap();
    std::fs::write(project.join("Dockerfile"), "FROM scratch\n").unwrap();
    let dockerfile = project.join("Dockerfile");
    let dockerfile = dockerfile.to_str().unwrap();
    // the configuration above the Dockerfile selects one check and lowers the bar
    std::fs::write(
        project.join(".imglint.toml"),
        "select = [\"setuid-file\"]\nfailure-threshold = \"error\"\n",
    )
    .unwrap();
    let out = stdout_of(&src, &["--dockerfile", dockerfile, "-f", "json"], 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert_eq!(codes, ["IL7006"]);
    // flags win over the file, `--no-config` ignores it
    stdout_of(&src, &["--dockerfile", dockerfile, "-t", "info"], 1);
    let all = stdout_of(
        &src,
        &[
            "--dockerfile",
            dockerfile,
            "--no-config",
            "-f",
            "json",
            "--no-fail",
        ],
        0,
    );
    let v: serde_json::Value = serde_json::from_str(&all).unwrap();
    assert!(v["findings"].as_array().unwrap().len() > 1);
    // an invalid configuration is an input error
    std::fs::write(project.join(".imglint.toml"), "select = 1\n").unwrap();
    imglint()
        .args(["image", &src, "--dockerfile", dockerfile])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(".imglint.toml:1:10"));
}
