//! The research fixture read from every container format gives the same,
//! exact numbers.

mod image_support;

use image_support::*;
use imglint::image::fixture::{self, FxCompression, research_fixture};
use imglint::image::{self, Options, SourceFormat, WasteReason};

#[test]
fn oci_layout_gzip_gives_all_fixture_numbers() {
    let dir = TempDir::new("fmt-oci");
    let src = write(
        &research_fixture(),
        Shape::OciDir(FxCompression::Gzip),
        &dir,
    );
    let a = analyze(&src).unwrap();
    assert_eq!(a.image.format, SourceFormat::OciLayout);
    assert_eq!(a.image.platform, "linux/amd64");
    assert_fixture_numbers(&a);
}

#[test]
fn every_format_gives_the_same_numbers() {
    let img = research_fixture();
    let shapes = [
        (Shape::OciDir(FxCompression::None), SourceFormat::OciLayout),
        (Shape::OciDir(FxCompression::Zstd), SourceFormat::OciLayout),
        (
            Shape::OciDir(FxCompression::MultiGzip),
            SourceFormat::OciLayout,
        ),
        (Shape::OciTar, SourceFormat::OciArchive),
        (Shape::DockerLegacyTar, SourceFormat::DockerArchive),
        (Shape::DockerSymlinkedTar, SourceFormat::DockerArchive),
        (Shape::DockerLegacyDir, SourceFormat::DockerDirectory),
        (Shape::Docker25Tar, SourceFormat::DockerArchive),
    ];
    for (shape, format) in shapes {
        let dir = TempDir::new("fmt-all");
        let src = write(&img, shape, &dir);
        let a = analyze(&src).unwrap_or_else(|e| panic!("{src}: {e}"));
        assert_eq!(a.image.format, format, "{src}");
        assert_fixture_numbers(&a);
    }
}

#[test]
fn compression_is_detected_and_sizes_reported() {
    let dir = TempDir::new("fmt-zstd");
    let img = research_fixture();
    let blobs = img.blobs(FxCompression::Zstd);
    let src = write(&img, Shape::OciDir(FxCompression::Zstd), &dir);
    let a = analyze(&src).unwrap();
    for (l, b) in a.layers.iter().zip(&blobs.layers) {
        assert_eq!(l.compression, image::Compression::Zstd);
        assert_eq!(l.compressed_bytes, b.blob.len() as u64);
        assert_eq!(l.uncompressed_bytes, b.tar.len() as u64);
        assert_eq!(l.diff_id, b.diff_id.to_string());
        assert_eq!(l.digest, b.digest.to_string());
    }
}

#[test]
fn waste_ledger_charges_each_hidden_byte() {
    let dir = TempDir::new("fmt-ledger");
    let src = write(
        &research_fixture(),
        Shape::OciDir(FxCompression::Gzip),
        &dir,
    );
    let a = analyze(&src).unwrap();
    let mut got: Vec<(String, u64, usize, usize, WasteReason)> = a
        .waste
        .entries
        .iter()
        .map(|w| (w.path.clone(), w.bytes, w.added_in, w.hidden_by, w.reason))
        .collect();
    got.sort();
    let mut want = vec![
        (
            "app/data.bin".to_string(),
            1_048_576,
            0,
            1,
            WasteReason::Overwritten,
        ),
        (
            "var/cache/apk/pkg1.apk".to_string(),
            307_200,
            0,
            1,
            WasteReason::Deleted,
        ),
        (
            "var/cache/apk/pkg2.apk".to_string(),
            204_800,
            0,
            1,
            WasteReason::Deleted,
        ),
        (
            "app/config.txt".to_string(),
            1_000,
            0,
            1,
            WasteReason::Deleted,
        ),
        ("etc/passwd".to_string(), 71, 0, 1, WasteReason::Overwritten),
        (
            "usr/share/doc/pkg/README".to_string(),
            51_200,
            0,
            2,
            WasteReason::Opaque,
        ),
        (
            "usr/share/doc/pkg/LICENSE".to_string(),
            20_480,
            0,
            2,
            WasteReason::Opaque,
        ),
        ("etc/group".to_string(), 27, 0, 2, WasteReason::SameContent),
    ];
    want.sort();
    assert_eq!(got, want);
    // per hiding layer, as in the research notes
    let by_layer = |hider: usize| -> u64 {
        a.waste
            .entries
            .iter()
            .filter(|w| w.hidden_by == hider)
            .map(|w| w.bytes)
            .sum()
    };
    assert_eq!(by_layer(1), 1_561_647);
    assert_eq!(by_layer(2), 71_707);
    assert_eq!(a.waste.visible_content_bytes, 2_507_808);
    assert_eq!(a.waste.total_content_bytes, 4_141_162);
}

#[test]
fn per_layer_changes_and_history() {
    let dir = TempDir::new("fmt-layers");
    let src = write(&research_fixture(), Shape::DockerSymlinkedTar, &dir);
    let a = analyze(&src).unwrap();
    let changes: Vec<(u64, u64, u64)> = a
        .layers
        .iter()
        .map(|l| (l.files_added, l.files_changed, l.files_deleted))
        .collect();
    assert_eq!(changes, [(11, 0, 0), (2, 2, 3), (2, 1, 2)]);
    let created: Vec<Option<&str>> = a.layers.iter().map(|l| l.created_by.as_deref()).collect();
    assert_eq!(
        created,
        [
            Some("ADD rootfs.tar /"),
            Some("/bin/sh -c rm -rf /var/cache/apk /app/config.txt && update-data"),
            Some("/bin/sh -c rm -rf /usr/share/doc/* && add-notice"),
        ]
    );
    assert_eq!(
        a.layers.iter().map(|l| l.history_index).collect::<Vec<_>>(),
        [Some(0), Some(2), Some(3)]
    );
    assert_eq!(a.image.names, ["imglint/fixture:v1"]);
}

#[test]
fn fixture_findings() {
    let dir = TempDir::new("fmt-findings");
    let src = write(
        &research_fixture(),
        Shape::OciDir(FxCompression::Gzip),
        &dir,
    );
    let a = analyze(&src).unwrap();
    let mut codes: Vec<&str> = a.findings().map(|f| f.rule.code).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(
        codes,
        [
            "IL7001", "IL7002", "IL7003", "IL7005", "IL7006", "IL7015", "IL7018"
        ],
        "{:#?}",
        a.reports
    );
    let setuid = a.findings().find(|f| f.rule.code == "IL7006").unwrap();
    let subject = setuid.subject.as_ref().unwrap();
    assert_eq!(subject.path.as_deref(), Some("/usr/local/bin/su-helper"));
    assert_eq!(subject.layer, Some(1));
}

#[test]
fn pax_global_header_and_ghost_whiteout_do_not_change_numbers() {
    let mut img = research_fixture();
    img.layers[2].pax_global = Some("made by a tool that writes global headers".into());
    img.layers[2] = img.layers[2].clone().dir("aaa/").file("aaa/.wh.ghost", "");
    for shape in [Shape::OciDir(FxCompression::Gzip), Shape::DockerLegacyTar] {
        let dir = TempDir::new("fmt-pax");
        let src = write(&img, shape, &dir);
        let a = analyze(&src).unwrap();
        assert_fixture_numbers(&a);
    }
}

#[test]
fn multi_arch_index_picks_the_platform() {
    let dir = TempDir::new("fmt-multi");
    let p = dir.join("multi");
    fixture::multi_arch(&research_fixture())
        .write_dir(&p)
        .unwrap();
    let src = format!("oci:{}", p.display());
    for (wanted, got) in [
        ("linux/arm64", "linux/arm64/v8"),
        ("linux/arm64/v8", "linux/arm64/v8"),
        ("linux/amd64", "linux/amd64"),
    ] {
        let options = Options {
            platform: Some(wanted.into()),
            ..Options::default()
        };
        let a = analyze_with(&src, &options).unwrap();
        assert_eq!(a.image.platform, got);
        assert_fixture_numbers(&a);
    }
    let err = analyze_with(
        &src,
        &Options {
            platform: Some("linux/s390x".into()),
            ..Options::default()
        },
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("linux/s390x") && msg.contains("linux/arm64/v8"),
        "{msg}"
    );
    assert!(!msg.contains("unknown"), "attestations are skipped: {msg}");
    // `PATH:TAG` selects the tagged image
    let a = analyze(&format!("{}:multi", p.display())).unwrap();
    assert_fixture_numbers(&a);
    let err = analyze(&format!("{}:nope", p.display())).unwrap_err();
    assert!(
        err.to_string().contains("no image is tagged `nope`"),
        "{err}"
    );
}

#[test]
fn json_report_keeps_its_keys() {
    let dir = TempDir::new("fmt-json");
    let src = write(&research_fixture(), Shape::OciTar, &dir);
    let a = analyze(&src).unwrap();
    let mut out = Vec::new();
    image::report::render_json(&a, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["waste"]["reclaimable_bytes"], RECLAIMABLE);
    assert!(
        v["waste"]["entries"]
            .as_array()
            .is_some_and(|e| e.len() == 8)
    );
    assert_eq!(v["dive"]["efficiency"], EFFICIENCY);
    assert_eq!(v["dive"]["wasted_bytes"], WASTED);
    assert_eq!(v["dive"]["user_wasted_ratio"], USER_WASTED_RATIO);
    assert_eq!(v["layers"].as_array().map(Vec::len), Some(3));
    assert_eq!(v["layers"][1]["content_bytes"], LAYER_CONTENT[1]);
    assert!(v["findings"].as_array().is_some_and(|f| !f.is_empty()));
    assert_eq!(v["findings"][0]["severity"], "error");
}

#[test]
fn text_report_has_layer_table_and_totals() {
    let dir = TempDir::new("fmt-text");
    let src = write(&research_fixture(), Shape::OciTar, &dir);
    let a = analyze(&src).unwrap();
    let mut out = Vec::new();
    image::report::render_text(&a, &image::report::plain_options(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("3 layers"), "{text}");
    assert!(text.contains("1.6 MB reclaimable"), "{text}");
    assert!(text.contains("█"), "{text}");
    assert!(
        text.contains("/app/data.bin  overwritten in layer 0 by layer 1"),
        "{text}"
    );
    assert!(text.contains("efficiency 77.4411%"), "{text}");
    assert!(text.contains("IL7006 (setuid-file, info)"), "{text}");
}

/// Compresses the archive `src` names into `path`.
fn packed_copy(src: &str, path: &std::path::Path, compression: FxCompression) -> String {
    let bytes = std::fs::read(src).unwrap();
    std::fs::write(path, fixture::compress(&bytes, compression)).unwrap();
    path.display().to_string()
}

#[test]
fn compressed_archives_give_the_same_numbers() {
    // `docker save | gzip` and `| zstd`, of every archive shape
    for (shape, format) in [
        (Shape::DockerLegacyTar, SourceFormat::DockerArchive),
        (Shape::DockerSymlinkedTar, SourceFormat::DockerArchive),
        (Shape::Docker25Tar, SourceFormat::DockerArchive),
        (Shape::OciTar, SourceFormat::OciArchive),
    ] {
        let dir = TempDir::new("fmt-packed");
        let src = write(&research_fixture(), shape, &dir);
        for (compression, name) in [
            (FxCompression::Gzip, "image.tar.gz"),
            (FxCompression::Zstd, "image.tar.zst"),
        ] {
            let packed = packed_copy(&src, &dir.join(name), compression);
            let a = analyze(&packed).unwrap_or_else(|e| panic!("{packed}: {e}"));
            assert_eq!(a.image.format, format, "{packed}");
            assert_fixture_numbers(&a);
        }
    }
}

#[test]
fn compressed_archive_streams_large_layers_once() {
    // layers larger than what is kept in memory while indexing are read in
    // one pass over the decompressed archive; the same layer twice, too
    let big = fixture::seeded_bytes(7, 5 * 1024 * 1024);
    let base = fixture::FxLayer::new("ADD rootfs.tar /").file("data/big.bin", big.clone());
    let img = fixture::FxImage {
        layers: vec![
            base.clone(),
            fixture::FxLayer::new("RUN shrink").file("data/big.bin", "small"),
            base,
        ],
        config: serde_json::json!({"User": "app"}),
        empty_history: Vec::new(),
        architecture: "amd64".into(),
        variant: None,
    };
    let dir = TempDir::new("fmt-packed-big");
    let plain = write(&img, Shape::DockerLegacyTar, &dir);
    let want = analyze(&plain).unwrap();
    let packed = packed_copy(&plain, &dir.join("big.tar.gz"), FxCompression::Gzip);
    let got = analyze(&packed).unwrap();
    assert_eq!(got.waste.reclaimable_bytes, want.waste.reclaimable_bytes);
    assert_eq!(got.waste.reclaimable_bytes, 5 * 1024 * 1024 + 5);
    assert_eq!(got.dive, want.dive);
    let digests = |a: &image::Analysis| -> Vec<String> {
        a.layers.iter().map(|l| l.diff_id.clone()).collect()
    };
    assert_eq!(digests(&got), digests(&want));
}
