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

fn fixture(dir: &TempDir) -> String {
    write(&research_fixture(), Shape::OciDir(FxCompression::Gzip), dir)
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
    assert!(text.contains("IL7001 warning root-user"), "{text}");
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
    let schema_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/schemas/sarif-schema-2.1.0.json");
    let Ok(schema) = std::fs::read(&schema_path) else {
        eprintln!(
            "skipped schema validation: {} not found",
            schema_path.display()
        );
        return;
    };
    let schema: serde_json::Value = serde_json::from_slice(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
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
