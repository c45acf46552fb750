//! `imglint size`: estimates of Go, Rust, Node, Python and Java
//! Dockerfiles, tags the table lacks, bases chosen by `ARG`, private images,
//! `--refresh` against a real `docker-registry`, and the estimate against
//! the real size of an image built in Rust from the same Dockerfile.

mod image_support;

use assert_cmd::Command;
use image_support::*;
use imglint::image::fixture::{FxCompression, FxImage, FxLayer, research_fixture, seeded_bytes};
use serde_json::Value;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn size_json(args: &[&str]) -> Value {
    let out = Command::cargo_bin("imglint")
        .unwrap()
        .current_dir(root())
        .arg("size")
        .args(["-f", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn size_text(args: &[&str]) -> String {
    let out = Command::cargo_bin("imglint")
        .unwrap()
        .current_dir(root())
        .arg("size")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn alternatives(v: &Value) -> Vec<(String, u64)> {
    v["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["base"].as_str().unwrap().to_string(),
                a["saving_bytes"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn recommended(v: &Value) -> String {
    v["alternatives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["recommended"] == true)
        .map(|a| a["base"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

#[test]
fn go_static_binary_on_debian() {
    let v = size_json(&["fixtures/go-static-on-debian.Dockerfile"]);
    assert_eq!(v["final"]["base"], "debian:12");
    assert_eq!(v["final"]["base_bytes"], 48_497_091);
    assert_eq!(v["program"], "a static Go binary");
    assert_eq!(recommended(&v), "gcr.io/distroless/static-debian12:nonroot");
    let alts = alternatives(&v);
    let scratch = alts.iter().find(|a| a.0 == "scratch").unwrap();
    assert_eq!(scratch.1, 48_497_091, "scratch saves the whole base");
    // the build stage's tag is not in the table: the nearest one, said so
    let build = &v["stages"][0]["base"];
    assert_eq!(build["status"], "nearest");
    assert_eq!(build["matched"], "golang:1.25");
    assert!(
        build["note"]
            .as_str()
            .unwrap()
            .contains("nearest known tag")
    );
    // the binary comes from a RUN: not counted, said so
    let unknown = v["final"]["unknown"].as_array().unwrap();
    assert_eq!(unknown.len(), 1);
    assert!(
        unknown[0]["reason"]
            .as_str()
            .unwrap()
            .contains("`RUN` in stage `build`")
    );
    // the bar chart shows the 250x difference at a glance
    let text = size_text(&["fixtures/go-static-on-debian.Dockerfile"]);
    assert!(text.contains("golang:1.22"), "{text}");
    assert!(
        text.contains("████████████████████████████████████████  build stage only"),
        "{text}"
    );
}

#[test]
fn rust_binary_with_an_arg_chosen_toolchain() {
    let v = size_json(&["fixtures/rust-service.Dockerfile"]);
    assert_eq!(v["program"], "a Rust binary linked against glibc");
    assert_eq!(recommended(&v), "gcr.io/distroless/cc-debian12:nonroot");
    let build = &v["stages"][0]["base"];
    assert_eq!(build["image"], "rust:1-slim");
    assert_eq!(build["status"], "exact");
    assert_eq!(build["estimated_bytes"], 319_098_044);
    // another value of the build argument
    let v = size_json(&[
        "fixtures/rust-service.Dockerfile",
        "--build-arg",
        "RUST_VERSION=1.80",
    ]);
    let build = &v["stages"][0]["base"];
    assert_eq!(build["image"], "rust:1.80-slim");
    assert_eq!(build["status"], "nearest");
    assert_eq!(build["matched"], "rust:1-slim");
}

#[test]
fn node_python_and_java_runtimes() {
    let v = size_json(&["fixtures/node-app.Dockerfile"]);
    assert_eq!(v["final"]["base"], "node:22-bookworm");
    assert_eq!(recommended(&v), "node:22-slim");
    let alts = alternatives(&v);
    assert!(
        alts.contains(&("node:22-slim".into(), 408_499_334 - 79_893_445)),
        "{alts:?}"
    );
    assert!(alts.iter().any(|a| a.0 == "node:22-alpine"));

    let v = size_json(&["fixtures/python-app.Dockerfile"]);
    assert_eq!(recommended(&v), "python:3.12-slim");
    assert!(alternatives(&v).contains(&("python:3.12-slim".into(), 410_908_459 - 43_188_023)));

    let v = size_json(&["fixtures/java-jar.Dockerfile"]);
    assert_eq!(v["program"], "a Java program on a JDK");
    assert_eq!(recommended(&v), "eclipse-temurin:21-jre");
    assert_eq!(
        alternatives(&v),
        [(
            "eclipse-temurin:21-jre".to_string(),
            230_080_573 - 121_136_054
        )]
    );
    // arm64 figures where the table has them
    let v = size_json(&["fixtures/java-jar.Dockerfile", "--platform", "linux/arm64"]);
    assert_eq!(v["final"]["base_bytes"], 227_197_648);
}

#[test]
fn unknown_private_images_are_said_to_be_unknown() {
    let dir = TempDir::new("size-private");
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM registry.example.com/team/base:1\nCOPY app /app\nCMD [\"/app\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("app"), seeded_bytes(1, 1000)).unwrap();
    let file = dir.join("Dockerfile").display().to_string();
    let v = size_json(&[&file]);
    let f = &v["final"];
    assert_eq!(f["base"], "registry.example.com/team/base:1");
    assert!(
        f["estimated_bytes"].is_null() && f["low_bytes"].is_null() && f["high_bytes"].is_null()
    );
    assert_eq!(v["stages"][0]["base"]["status"], "unknown");
    assert!(v["alternatives"].as_array().unwrap().is_empty());
    // the layer from the context is still measured
    assert!(
        v["stages"][0]["layers"][0]["estimated_bytes"]
            .as_u64()
            .unwrap()
            > 900
    );
    let text = size_text(&[&file]);
    assert!(
        text.contains(
            "final image: unknown: the size of `registry.example.com/team/base:1` is not known"
        ),
        "{text}"
    );
    assert!(text.contains("size unknown"), "{text}");
    // FROM a build argument without a value
    std::fs::write(
        dir.join("Dockerfile"),
        "ARG BASE\nFROM ${BASE}\nCMD [\"/app\"]\n",
    )
    .unwrap();
    let v = size_json(&[&file]);
    assert!(v["final"]["estimated_bytes"].is_null());
    let v = size_json(&[&file, "--build-arg", "BASE=alpine:3.21"]);
    assert_eq!(v["final"]["estimated_bytes"], 3_626_020);
}

/// Context files, the Dockerfile that copies them, and the image that
/// Dockerfile builds on top of `base`, made in Rust.
fn app_context(dir: &TempDir, from: &str) -> Vec<FxLayer> {
    std::fs::create_dir_all(dir.join("ctx/bin")).unwrap();
    std::fs::create_dir_all(dir.join("ctx/conf")).unwrap();
    std::fs::create_dir_all(dir.join("ctx/node_modules")).unwrap();
    let binary = seeded_bytes(42, 3_000_000);
    // text compresses: repeated lines
    let config: String = (0..2000)
        .map(|i| format!("key{i} = value {}\n", i % 7))
        .collect();
    std::fs::write(dir.join("ctx/bin/app"), &binary).unwrap();
    std::fs::write(dir.join("ctx/conf/app.toml"), &config).unwrap();
    std::fs::write(
        dir.join("ctx/node_modules/ignored.js"),
        seeded_bytes(3, 500_000),
    )
    .unwrap();
    std::fs::write(dir.join("ctx/.dockerignore"), "node_modules\n").unwrap();
    std::fs::write(
        dir.join("ctx/Dockerfile"),
        format!(
            "FROM {from}\nCOPY bin/app /usr/local/bin/app\nCOPY conf/ /etc/app/\nUSER 10001\nCMD [\"/usr/local/bin/app\"]\n"
        ),
    )
    .unwrap();
    vec![
        FxLayer::new("COPY bin/app /usr/local/bin/app")
            .dir("usr/")
            .dir("usr/local/")
            .dir("usr/local/bin/")
            .file_mode("usr/local/bin/app", binary, 0o755),
        FxLayer::new("COPY conf/ /etc/app/")
            .dir("etc/")
            .dir("etc/app/")
            .file("etc/app/app.toml", config),
    ]
}

fn real_compressed(image: &FxImage) -> u64 {
    image
        .blobs(FxCompression::Gzip)
        .layers
        .iter()
        .map(|l| l.blob.len() as u64)
        .sum()
}

fn check_estimate_contains(estimate: &Value, real: u64) {
    let f = &estimate["final"];
    let (low, est, high) = (
        f["low_bytes"].as_u64().unwrap(),
        f["estimated_bytes"].as_u64().unwrap(),
        f["high_bytes"].as_u64().unwrap(),
    );
    assert!(f["unknown"].as_array().unwrap().is_empty(), "{f}");
    assert!(
        low <= real && real <= high,
        "{low} <= {real} <= {high} (estimate {est})"
    );
    let error = (est as f64 - real as f64).abs() / real as f64;
    assert!(error < 0.05, "estimate {est} vs real {real}");
    eprintln!(
        "estimate {est} ({low}-{high}) vs real {real}: {:.2} % off",
        error * 100.0
    );
}

#[test]
fn the_estimate_contains_the_size_of_the_built_image() {
    // the base: the research fixture, sized in a table as --refresh would
    let base = research_fixture();
    let base_bytes = real_compressed(&base);
    let dir = TempDir::new("size-real");
    std::fs::write(
        dir.join("table.toml"),
        format!(
            "last_verified = \"2026-11-29\"\n\n[[image]]\nname = \"registry.example.com/imglint/base\"\ntags = [\"1\"]\ncompressed = {{ amd64 = {base_bytes} }}\nobserved = \"2026-11-29\"\nsource = \"fixture\"\n"
        ),
    )
    .unwrap();
    let app = app_context(&dir, "registry.example.com/imglint/base:1");
    let mut image = base.clone();
    image.layers.extend(app);
    let real = real_compressed(&image);
    let ctx = dir.join("ctx");
    let df = ctx.join("Dockerfile");
    let v = size_json(&[
        df.to_str().unwrap(),
        "--table",
        dir.join("table.toml").to_str().unwrap(),
    ]);
    assert_eq!(v["final"]["base_bytes"], base_bytes);
    check_estimate_contains(&v, real);
    // `.dockerignore` kept node_modules out; a `COPY .` would not see it
    let layers = v["stages"][0]["layers"].as_array().unwrap();
    assert!(layers[1]["detail"].as_str().unwrap().starts_with("1 file "));
}

#[test]
fn refresh_reads_sizes_from_a_real_registry() {
    let Some(reg) = start_registry() else { return };
    let base = format!("http://127.0.0.1:{}", reg.port);
    let host = format!("127.0.0.1:{}", reg.port);
    let img = research_fixture();
    let blobs = img.blobs(FxCompression::Gzip);
    let layers: u64 = blobs.layers.iter().map(|l| l.blob.len() as u64).sum();
    // a mirror of an image in the table, and a private image
    push_image(&base, "library/busybox", "1.37", &blobs);
    push_image(&base, "team/base", "1", &blobs);
    let dir = TempDir::new("size-refresh");
    let table = dir.join("table.toml");
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("imglint")
            .unwrap()
            .arg("size")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    // the whole table from the mirror: only busybox is there
    let log = run(&[
        "--refresh",
        &host,
        "--insecure",
        "-o",
        table.to_str().unwrap(),
    ]);
    assert!(
        log.contains(&format!("busybox:1.37: amd64 {layers} B")),
        "{log}"
    );
    assert!(log.contains("alpine:3.21: not refreshed"), "{log}");
    let text = std::fs::read_to_string(&table).unwrap();
    let t = imglint::size::Table::parse(&text).unwrap();
    let bb = t.images.iter().find(|e| e.name == "busybox").unwrap();
    assert_eq!(bb.compressed.get("amd64"), Some(&layers));
    assert_eq!(
        bb.digest.as_deref(),
        Some(blobs.manifest_digest.to_string().as_str())
    );
    assert!(bb.source.contains(&host));
    // untouched rows keep their figures and sources
    let alpine = t.images.iter().find(|e| e.name == "alpine").unwrap();
    assert_eq!(alpine.compressed.get("amd64"), Some(&3_626_020));

    // a second refresh of the same digest only HEADs: unchanged
    let log = run(&[
        "--table",
        table.to_str().unwrap(),
        "--refresh",
        &format!("{host}/team/base:1"),
        "--insecure",
        "-o",
        dir.join("t2.toml").to_str().unwrap(),
    ]);
    assert!(
        log.contains(&format!("{host}/team/base:1: amd64 {layers} B")),
        "{log}"
    );
    let log = run(&[
        "--table",
        dir.join("t2.toml").to_str().unwrap(),
        "--refresh",
        &format!("{host}/team/base:1"),
        "--insecure",
        "-o",
        dir.join("t3.toml").to_str().unwrap(),
    ]);
    assert!(log.contains("unchanged (same digest)"), "{log}");

    // the private image is now known: estimate against the real image
    let app = app_context(&dir, &format!("{host}/team/base:1"));
    let mut image = img.clone();
    image.layers.extend(app);
    let real = real_compressed(&image);
    let df = dir.join("ctx/Dockerfile");
    let v = size_json(&[
        df.to_str().unwrap(),
        "--table",
        dir.join("t3.toml").to_str().unwrap(),
    ]);
    assert_eq!(v["stages"][0]["base"]["status"], "exact");
    check_estimate_contains(&v, real);
}

#[test]
fn the_rule_threshold_is_an_option() {
    let lint = |extra: &[&str]| {
        Command::cargo_bin("imglint")
            .unwrap()
            .current_dir(root())
            .args(["--select", "IL5101", "-f", "compact"])
            .args(extra)
            .arg("fixtures/python-app.Dockerfile")
            .output()
            .unwrap()
    };
    let out = lint(&[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("would save 367.7 MB"));
    let out = lint(&["--rule-option", "heavy-final-base-image.min-saving-mb=400"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = lint(&["--rule-option", "IL5101.min-ratio=20"]);
    assert_eq!(out.status.code(), Some(0));
    let out = lint(&["--rule-option", "nonsense"]);
    assert_eq!(out.status.code(), Some(2));
}
