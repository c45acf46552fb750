//! Cross-check against dive itself on the same docker-archive tars.

mod image_support;

use std::process::Command;

use image_support::*;
use imglint::image::fixture::{FxLayer, research_fixture};

/// Runs `dive --source docker-archive -j` and returns its JSON.
fn run_dive(dive: &std::path::Path, tar: &str, dir: &TempDir) -> serde_json::Value {
    let out = dir.join("dive.json");
    let status = Command::new(dive)
        .args(["--source", "docker-archive", "-j"])
        .arg(&out)
        .arg(tar)
        .env("CI", "false")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run dive");
    assert!(status.success(), "dive failed on {tar}");
    serde_json::from_slice(&std::fs::read(&out).expect("dive wrote its JSON")).expect("dive JSON")
}

fn dive_numbers(v: &serde_json::Value) -> (f64, u64, u64, Vec<u64>) {
    let img = &v["image"];
    let layers = v["layer"]
        .as_array()
        .map(|l| {
            l.iter()
                .map(|x| x["sizeBytes"].as_u64().unwrap_or(0))
                .collect()
        })
        .unwrap_or_default();
    (
        img["efficiencyScore"].as_f64().unwrap_or(-1.0),
        img["inefficientBytes"].as_u64().unwrap_or(0),
        img["sizeBytes"].as_u64().unwrap_or(0),
        layers,
    )
}

#[test]
fn dive_agrees_on_the_research_fixture() {
    let Some(dive) = require_tool("dive", &[]) else {
        return;
    };
    for shape in [
        Shape::DockerSymlinkedTar,
        Shape::DockerLegacyTar,
        Shape::Docker25Tar,
    ] {
        let dir = TempDir::new("dive-parity");
        let tar = write(&research_fixture(), shape, &dir);
        let (efficiency, wasted, size, layers) = dive_numbers(&run_dive(&dive, &tar, &dir));
        assert_eq!(efficiency, EFFICIENCY, "dive's efficiency on {tar}");
        assert_eq!(wasted, WASTED);
        assert_eq!(layers, LAYER_CONTENT);
        assert_eq!(size, LAYER_CONTENT.iter().sum::<u64>());

        let ours = analyze(&tar).unwrap();
        assert_eq!(ours.dive.efficiency, efficiency);
        assert_eq!(ours.dive.wasted_bytes, wasted);
        assert_eq!(ours.dive.size_bytes, size);
        let user = (size - layers[0]) as f64;
        assert_eq!(ours.dive.user_wasted_ratio, wasted as f64 / user);
        assert_eq!(ours.waste.reclaimable_bytes, RECLAIMABLE);
    }
}

#[test]
fn dive_agrees_on_another_image() {
    // chown-style re-add, a file over a directory, hard links, deep paths
    let Some(dive) = require_tool("dive", &[]) else {
        return;
    };
    let long = format!("srv/{}/deep.txt", "d".repeat(120));
    let img = imglint::image::fixture::FxImage {
        layers: vec![
            FxLayer::new("COPY app /srv")
                .dir("srv/")
                .file("srv/a.txt", vec![b'a'; 5000])
                .file("srv/b.txt", vec![b'b'; 7000])
                .hardlink("srv/b-link", "srv/b.txt")
                .dir("srv/sub/")
                .file("srv/sub/c.txt", vec![b'c'; 3000])
                .file(&long, vec![b'l'; 900]),
            FxLayer::new("RUN chown -R app /srv")
                .dir("srv/")
                .file("srv/a.txt", vec![b'a'; 5000])
                .file("srv/b.txt", vec![b'b'; 7000])
                .file("srv/.wh.sub", ""),
            FxLayer::new("RUN echo > /srv/sub")
                .dir("srv/")
                .file("srv/sub", "x\n")
                .file("srv/new.txt", vec![b'n'; 100]),
        ],
        config: serde_json::json!({"User": "app"}),
        empty_history: Vec::new(),
        architecture: "amd64".into(),
        variant: None,
    };
    let dir = TempDir::new("dive-other");
    let tar = write(&img, Shape::DockerSymlinkedTar, &dir);
    let (efficiency, wasted, size, layers) = dive_numbers(&run_dive(&dive, &tar, &dir));
    let ours = analyze(&tar).unwrap();
    assert_eq!(ours.dive.efficiency, efficiency);
    assert_eq!(ours.dive.wasted_bytes, wasted);
    assert_eq!(ours.dive.size_bytes, size);
    let content: Vec<u64> = ours.layers.iter().map(|l| l.content_bytes).collect();
    assert_eq!(content, layers);
    // and the exact accounting: the first copy of a.txt and the deleted
    // c.txt; the first b.txt stays visible through its hard link b-link
    assert_eq!(ours.waste.reclaimable_bytes, 5000 + 3000);
}

#[test]
fn dive_agrees_with_implicit_directories() {
    // layers without directory entries: dive gives their whiteouts 0 bytes,
    // and an upper layer's implicit parents untype a lower directory
    let Some(dive) = require_tool("dive", &[]) else {
        return;
    };
    let img = imglint::image::fixture::FxImage {
        layers: vec![
            FxLayer::new("ADD rootfs.tar /")
                .file("usr/lib/a/one", vec![1; 4000])
                .file("usr/lib/a/two", vec![2; 6000])
                .dir("opt/")
                .dir("opt/x/")
                .file("opt/x/big", vec![3; 9000])
                .file("srv/keep", vec![4; 100]),
            FxLayer::new("RUN touch")
                .file("usr/lib/a/two", vec![5; 1000])
                .file("opt/x/new", vec![6; 10]),
            FxLayer::new("RUN rm -rf /usr/lib/a /opt/x")
                .file("usr/lib/.wh.a", "")
                .file("opt/.wh.x", "")
                .file("srv/more", vec![7; 50]),
        ],
        config: serde_json::json!({"User": "app"}),
        empty_history: Vec::new(),
        architecture: "amd64".into(),
        variant: None,
    };
    let dir = TempDir::new("dive-implicit");
    let tar = write(&img, Shape::DockerSymlinkedTar, &dir);
    let (efficiency, wasted, size, _) = dive_numbers(&run_dive(&dive, &tar, &dir));
    let ours = analyze(&tar).unwrap();
    assert_eq!(ours.dive.efficiency, efficiency);
    assert_eq!(ours.dive.wasted_bytes, wasted);
    assert_eq!(ours.dive.size_bytes, size);
    assert_eq!(ours.waste.reclaimable_bytes, 4000 + 6000 + 1000 + 9000 + 10);
}
