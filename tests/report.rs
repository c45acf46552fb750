//! Report snapshots (every fixture in every format) and SARIF validation
//! against the OASIS 2.1.0 schema. `IMGLINT_BLESS=1` rewrites the snapshots;
//! review the diff before committing.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "Dockerfile"))
        .collect();
    v.sort();
    v
}

fn run(format: &str, fixture: &Path) -> (String, String) {
    let rel = fixture.strip_prefix(root()).unwrap();
    let out = Command::cargo_bin("imglint")
        .unwrap()
        .current_dir(root())
        .env("COLUMNS", "100")
        .env_remove("FORCE_COLOR")
        .args(["--color", "never", "-f", format])
        .arg(rel)
        .output()
        .unwrap();
    let redact =
        |s: &[u8]| String::from_utf8_lossy(s).replace(env!("CARGO_PKG_VERSION"), "<version>");
    (redact(&out.stdout), redact(&out.stderr))
}

#[test]
fn report_snapshots() {
    let bless = std::env::var("IMGLINT_BLESS").is_ok_and(|v| v == "1");
    let dir = root().join("tests/snapshots");
    let mut failures = Vec::new();
    for fixture in fixtures() {
        let stem = fixture.file_stem().unwrap().to_string_lossy().to_string();
        for format in ["text", "compact", "json", "sarif", "github"] {
            let (stdout, stderr) = run(format, &fixture);
            let got = if stderr.is_empty() {
                stdout
            } else {
                format!("{stdout}--- stderr ---\n{stderr}")
            };
            let path = dir.join(format!("{stem}.{format}"));
            let want = std::fs::read_to_string(&path).unwrap_or_default();
            if got != want {
                if bless {
                    std::fs::create_dir_all(&dir).unwrap();
                    std::fs::write(&path, &got).unwrap();
                } else {
                    failures.push(format!("{}: differs; run with IMGLINT_BLESS=1 and review the diff\n--- got ---\n{got}", path.display()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn sarif_validates_against_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut checked = 0;
    for fixture in fixtures() {
        let (stdout, _) = run("sarif", &fixture);
        let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}: {}",
            fixture.display(),
            errors.join("\n")
        );
        // what GitHub code scanning needs beyond the schema
        let run = &doc["runs"][0];
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert!(!rules.is_empty());
        for r in rules {
            for key in [
                "id",
                "name",
                "shortDescription",
                "fullDescription",
                "help",
                "defaultConfiguration",
            ] {
                assert!(r.get(key).is_some(), "rule lacks {key}: {r}");
            }
            assert!(!r["fullDescription"]["text"].as_str().unwrap().is_empty());
        }
        for res in run["results"].as_array().unwrap() {
            let idx = res["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[idx]["id"], res["ruleId"]);
            assert!(res["partialFingerprints"]["primaryLocationLineHash"].is_string());
            let loc = &res["locations"][0]["physicalLocation"];
            assert!(
                loc["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .starts_with("fixtures/")
            );
            assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1);
        }
        checked += 1;
    }
    assert!(checked > 0);
    // the schema is a real check: a broken document fails it
    let broken = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"level": "warn"}]}]});
    assert!(validator.iter_errors(&broken).count() > 0);
}
