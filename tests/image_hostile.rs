//! Hostile and broken images: each is a clear error or a finding, never a
//! panic, a hang or a file written.

mod image_support;

use image_support::*;
use imglint::image::fixture::{self, FxCompression, FxImage, FxLayer, raw_tar_end, raw_tar_entry};
use imglint::image::{self, ImageError, Options};
use serde_json::json;

fn image_of(layers: Vec<FxLayer>) -> FxImage {
    FxImage {
        layers,
        config: json!({"User": "app"}),
        empty_history: Vec::new(),
        architecture: "amd64".into(),
        variant: None,
    }
}

fn raw_layer(build: impl FnOnce(&mut Vec<u8>)) -> FxLayer {
    let mut tar = Vec::new();
    build(&mut tar);
    raw_tar_end(&mut tar);
    FxLayer {
        raw_tar: Some(tar),
        created_by: "RUN craft".into(),
        ..FxLayer::default()
    }
}

fn listing(dir: &std::path::Path) -> Vec<String> {
    fn walk(d: &std::path::Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).into_iter().flatten().flatten() {
            out.push(e.path().display().to_string());
            if e.path().is_dir() && !e.path().is_symlink() {
                walk(&e.path(), out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}

fn findings_of(a: &image::Analysis, code: &str) -> Vec<String> {
    a.findings()
        .filter(|f| f.rule.code == code)
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn traversal_and_absolute_names_are_findings_and_nothing_is_written() {
    let layer = raw_layer(|t| {
        raw_tar_entry(
            t,
            "../../../tmp/imglint-escape",
            tar::EntryType::Regular,
            "",
            b"pwned",
        );
        raw_tar_entry(
            t,
            "/etc/cron.d/evil",
            tar::EntryType::Regular,
            "",
            b"* * * * * x",
        );
        raw_tar_entry(t, "app/../app/ok", tar::EntryType::Regular, "", b"fine");
        raw_tar_entry(
            t,
            "app/link",
            tar::EntryType::Symlink,
            "../../../../etc/shadow",
            b"",
        );
        raw_tar_entry(t, "app/hard", tar::EntryType::Link, "../../etc/passwd", b"");
    });
    let dir = TempDir::new("hostile-names");
    let src = write(
        &image_of(vec![layer]),
        Shape::OciDir(FxCompression::Gzip),
        &dir,
    );
    let before = listing(dir.path());
    let a = analyze(&src).unwrap();
    assert_eq!(listing(dir.path()), before, "analysis wrote nothing");
    assert!(!std::path::Path::new("/tmp/imglint-escape").exists());
    assert_eq!(
        findings_of(&a, "IL7017"),
        [
            "layer 0 entry `../../../tmp/imglint-escape` climbs out of the root and was skipped",
            "layer 0 entry `/etc/cron.d/evil` has an absolute name",
            "layer 0 entry `app/../app/ok` has `..` in its name",
            "layer 0 entry `app/link` is a symlink whose target climbs out of the root",
            "layer 0 entry `app/hard` is a hard link whose target climbs out of the root",
        ]
    );
    // the escaping entry's bytes are not counted as visible content
    assert!(
        a.waste
            .entries
            .iter()
            .any(|w| w.bytes == 5 && w.reason == image::WasteReason::Rejected)
    );
}

#[test]
fn hard_link_loops_end() {
    let layer = raw_layer(|t| {
        raw_tar_entry(t, "a", tar::EntryType::Link, "b", b"");
        raw_tar_entry(t, "b", tar::EntryType::Link, "a", b"");
        raw_tar_entry(t, "c", tar::EntryType::Link, "c", b"");
    });
    let dir = TempDir::new("hostile-loop");
    let src = write(&image_of(vec![layer]), Shape::DockerLegacyTar, &dir);
    let a = analyze(&src).unwrap();
    assert_eq!(findings_of(&a, "IL7017").len(), 3, "{:#?}", a.reports);
}

/// A gzipped tar whose first member is a 300 MiB file of zeros: one gzip
/// member of 1 MiB of zeros, repeated, about 1000:1.
fn zeros_bomb() -> Vec<u8> {
    let mut first = Vec::new();
    let mut h = tar::Header::new_gnu();
    h.set_path("zeros").unwrap();
    h.set_size(300 * 1024 * 1024);
    h.set_mode(0o644);
    h.set_cksum();
    first.extend_from_slice(h.as_bytes());
    first.resize(1024 * 1024, 0);
    let mut blob = fixture::gzip(&first);
    let zeros = fixture::gzip(&vec![0u8; 1024 * 1024]);
    for _ in 0..299 {
        blob.extend_from_slice(&zeros);
    }
    blob
}

#[test]
fn gzip_bomb_is_refused() {
    let layer = FxLayer {
        raw_blob: Some(zeros_bomb()),
        created_by: "RUN bomb".into(),
        ..FxLayer::default()
    };
    let dir = TempDir::new("hostile-bomb");
    let src = write(
        &image_of(vec![layer]),
        Shape::OciDir(FxCompression::Gzip),
        &dir,
    );
    let err = analyze(&src).unwrap_err();
    assert!(
        matches!(err, ImageError::DecompressionBomb { limit: 200, .. }),
        "{err}"
    );
    assert!(err.to_string().starts_with("layer 0 (sha256:"), "{err}");
}

#[test]
fn truncated_blob_is_an_error_naming_the_layer() {
    let img = fixture::research_fixture();
    // docker-save: no descriptor sizes, so the tar reader meets the end
    let dir = TempDir::new("hostile-trunc");
    let p = dir.join("saved");
    fixture::docker_legacy(&img.blobs(FxCompression::None), "x:y", false)
        .write_dir(&p)
        .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.join("manifest.json")).unwrap()).unwrap();
    let layer0 = p.join(manifest[0]["Layers"][0].as_str().unwrap());
    let bytes = std::fs::read(&layer0).unwrap();
    std::fs::write(&layer0, &bytes[..bytes.len() / 2]).unwrap();
    let err = analyze(&p.display().to_string()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("layer 0") && msg.contains("layer.tar") && msg.contains("truncated"),
        "{msg}"
    );

    // OCI: the descriptor size catches it before reading
    let dir = TempDir::new("hostile-trunc-oci");
    let blobs = img.blobs(FxCompression::Gzip);
    let p = dir.join("oci");
    fixture::oci_layout(&blobs, "v1").write_dir(&p).unwrap();
    let blob = p.join(blobs.layers[1].digest.layout_path());
    let bytes = std::fs::read(&blob).unwrap();
    std::fs::write(&blob, &bytes[..100]).unwrap();
    let err = analyze(&format!("oci:{}", p.display())).unwrap_err();
    assert!(matches!(err, ImageError::SizeMismatch { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&blobs.layers[1].digest.to_string()),
        "{err}"
    );
}

#[test]
fn wrong_digest_is_an_error() {
    let img = fixture::research_fixture();
    let blobs = img.blobs(FxCompression::None);
    let dir = TempDir::new("hostile-digest");
    let p = dir.join("oci");
    fixture::oci_layout(&blobs, "v1").write_dir(&p).unwrap();
    // same size, one byte of file content changed
    let blob = p.join(blobs.layers[2].digest.layout_path());
    let mut bytes = std::fs::read(&blob).unwrap();
    let at = bytes.len() - 2048;
    bytes[at] ^= 0xff;
    std::fs::write(&blob, &bytes).unwrap();
    let err = analyze(&format!("oci:{}", p.display())).unwrap_err();
    match &err {
        ImageError::DigestMismatch { what, expected, .. } => {
            assert!(what.starts_with("layer 2"), "{what}");
            assert_eq!(expected, &blobs.layers[2].digest.to_string());
        }
        other => panic!("expected a digest mismatch, got {other}"),
    }
    // a changed config is caught too
    let cfg = p.join(blobs.config_digest.layout_path());
    let mut c = std::fs::read(&cfg).unwrap();
    c[10] ^= 1;
    std::fs::write(&cfg, &c).unwrap();
    let err = image::open(&format!("oci:{}", p.display()), &Options::default()).unwrap_err();
    assert!(err.to_string().starts_with("config sha256:"), "{err}");
}

#[test]
fn missing_blob_is_an_error_naming_it() {
    let img = fixture::research_fixture();
    let blobs = img.blobs(FxCompression::Gzip);
    let dir = TempDir::new("hostile-missing");
    let p = dir.join("oci");
    fixture::oci_layout(&blobs, "v1").write_dir(&p).unwrap();
    std::fs::remove_file(p.join(blobs.layers[0].digest.layout_path())).unwrap();
    let err = analyze(&format!("oci:{}", p.display())).unwrap_err();
    assert!(matches!(err, ImageError::MissingBlob { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&blobs.layers[0].digest.to_string()),
        "{err}"
    );

    std::fs::remove_file(p.join(blobs.manifest_digest.layout_path())).unwrap();
    let err = image::open(&format!("oci:{}", p.display()), &Options::default()).unwrap_err();
    assert!(
        err.to_string().contains(&blobs.manifest_digest.to_string()),
        "{err}"
    );
}

#[test]
fn too_many_entries_is_an_error() {
    let mut layer = FxLayer::new("RUN touch");
    for i in 0..300 {
        layer = layer.file(&format!("f/{i}"), "");
    }
    let dir = TempDir::new("hostile-entries");
    let src = write(
        &image_of(vec![layer.clone(), layer]),
        Shape::OciDir(FxCompression::Gzip),
        &dir,
    );
    let options = Options {
        max_entries: 500,
        ..Options::default()
    };
    let err = analyze_with(&src, &options).unwrap_err();
    assert!(
        matches!(err, ImageError::TooManyEntries { limit: 500, .. }),
        "{err}"
    );
    // within the limit it is fine
    assert!(
        analyze_with(
            &src,
            &Options {
                max_entries: 700,
                ..Options::default()
            }
        )
        .is_ok()
    );
}

#[test]
fn archive_links_cannot_escape_the_archive() {
    let img = fixture::research_fixture();
    let mut files = fixture::docker_legacy(&img.blobs(FxCompression::None), "x:y", true);
    // read the layers through the `<id>/layer.tar` links
    let links: Vec<String> = files.symlinks.iter().map(|(p, _)| p.clone()).collect();
    let manifest = serde_json::to_vec(&json!([{
        "Config": format!("{}.json", img.blobs(FxCompression::None).config_digest.hex),
        "RepoTags": ["x:y"], "Layers": links}]))
    .unwrap();
    for f in files.files.iter_mut().filter(|f| f.0 == "manifest.json") {
        f.1 = manifest.clone();
    }
    let dir = TempDir::new("hostile-archive-link");
    let good = dir.join("good.tar");
    files.write_tar(&good).unwrap();
    assert_fixture_numbers(&analyze(&good.display().to_string()).unwrap());

    for (_, target) in files.symlinks.iter_mut().take(1) {
        *target = "../../../../etc/passwd".into();
    }
    let p = dir.join("x.tar");
    files.write_tar(&p).unwrap();
    let err = analyze(&p.display().to_string()).unwrap_err();
    assert!(
        err.to_string().contains("links outside the archive"),
        "{err}"
    );
}

#[test]
fn layer_count_must_match_diff_ids() {
    let img = fixture::research_fixture();
    let blobs = img.blobs(FxCompression::Gzip);
    let dir = TempDir::new("hostile-count");
    let p = dir.join("oci");
    let mut files = fixture::oci_layout(&blobs, "v1");
    // a manifest with no layers (as early Docker 25 wrote)
    let mut m: serde_json::Value = serde_json::from_slice(&blobs.manifest).unwrap();
    m["layers"] = json!([]);
    let bytes = serde_json::to_vec(&m).unwrap();
    let digest = image::blob::Digest::of_bytes(image::blob::Algorithm::Sha256, &bytes);
    files.files.push((digest.layout_path(), bytes.clone()));
    let index = json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": digest.to_string(), "size": bytes.len()}]});
    for f in files.files.iter_mut().filter(|f| f.0 == "index.json") {
        f.1 = serde_json::to_vec(&index).unwrap();
    }
    files.write_dir(&p).unwrap();
    let err = image::open(&format!("oci:{}", p.display()), &Options::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("lists 0 layers but the config has 3 diff_ids"),
        "{err}"
    );
}

#[test]
fn oversized_and_garbage_documents_are_errors() {
    let dir = TempDir::new("hostile-docs");
    let p = dir.join("saved");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("manifest.json"), vec![b' '; 17 * 1024 * 1024]).unwrap();
    let err = analyze(&p.display().to_string()).unwrap_err();
    assert!(matches!(err, ImageError::DocumentTooLarge { .. }), "{err}");

    std::fs::write(p.join("manifest.json"), b"[{\"Config\": 5}]").unwrap();
    let err = analyze(&p.display().to_string()).unwrap_err();
    assert!(
        err.to_string().starts_with("manifest.json: invalid JSON"),
        "{err}"
    );

    let junk = dir.join("junk.tar");
    std::fs::write(&junk, fixture::seeded_bytes(9, 4096)).unwrap();
    let err = analyze(&junk.display().to_string()).unwrap_err();
    assert!(matches!(err, ImageError::UnknownFormat { .. }), "{err}");

    let err = analyze(&format!("oci:{}", dir.join("nope").display())).unwrap_err();
    assert!(matches!(err, ImageError::SourceNotFound { .. }), "{err}");
}

#[test]
fn every_error_has_a_diagnostic_code() {
    use miette::Diagnostic;
    let err = analyze("oci:/nonexistent/imglint/path").unwrap_err();
    let code = err.code().map(|c| c.to_string()).unwrap_or_default();
    assert_eq!(code, "imglint::image::source-not-found");
}

#[test]
fn oversized_long_name_is_refused_before_buffering() {
    let layer = raw_layer(|t| {
        let mut h = tar::Header::new_gnu();
        h.set_path("././@LongLink").unwrap();
        h.set_entry_type(tar::EntryType::GNULongName);
        h.set_size(4 * 1024 * 1024);
        h.set_cksum();
        t.extend_from_slice(h.as_bytes());
        t.extend(std::iter::repeat_n(b'a', 4 * 1024 * 1024));
        raw_tar_entry(t, "x", tar::EntryType::Regular, "", b"x");
    });
    let dir = TempDir::new("hostile-longname");
    let src = write(
        &image_of(vec![layer]),
        Shape::OciDir(FxCompression::Gzip),
        &dir,
    );
    let err = analyze(&src).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("layer 0 (sha256:") && msg.contains("type `L` has 4194304 bytes"),
        "{msg}"
    );
}

#[test]
fn sparse_file_with_a_huge_hole_is_not_expanded() {
    // a GNU sparse entry: 512 stored bytes at the end of an 8 GiB hole
    let layer = raw_layer(|t| {
        let mut h = tar::Header::new_gnu();
        h.set_path("sparse.img").unwrap();
        h.set_entry_type(tar::EntryType::GNUSparse);
        h.set_size(512);
        h.set_mode(0o644);
        let hole = 0o77_777_776_000u64; // just under 8 GiB, octal in 11 digits
        {
            let gnu = h.as_gnu_mut().unwrap();
            gnu.sparse[0]
                .offset
                .copy_from_slice(format!("{hole:011o}\0").as_bytes());
            gnu.sparse[0]
                .numbytes
                .copy_from_slice(format!("{:011o}\0", 512).as_bytes());
            gnu.realsize
                .copy_from_slice(format!("{:011o}\0", hole + 512).as_bytes());
        }
        h.set_cksum();
        t.extend_from_slice(h.as_bytes());
        t.extend(std::iter::repeat_n(b's', 512));
        raw_tar_entry(t, "after", tar::EntryType::Regular, "", b"still read");
    });
    let dir = TempDir::new("hostile-sparse");
    let src = write(
        &image_of(vec![layer.clone(), layer]),
        Shape::OciDir(FxCompression::Gzip),
        &dir,
    );
    let a = analyze(&src).unwrap();
    assert_eq!(a.layers[0].entries, 2);
    assert!(a.layers[0].content_bytes > 8_000_000_000);
    // the same sparse file again is overwritten, not "same content": it was not hashed
    assert!(
        a.waste
            .entries
            .iter()
            .any(|w| w.path == "sparse.img" && w.reason == image::WasteReason::Overwritten),
        "{:?}",
        a.waste.entries
    );
}

#[test]
fn oversized_long_name_in_the_outer_archive_is_refused() {
    let dir = TempDir::new("hostile-outer-longname");
    let p = dir.join("x.tar");
    let mut t = Vec::new();
    let mut h = tar::Header::new_gnu();
    h.set_path("././@LongLink").unwrap();
    h.set_entry_type(tar::EntryType::GNULongName);
    h.set_size(3 * 1024 * 1024);
    h.set_cksum();
    t.extend_from_slice(h.as_bytes());
    t.extend(std::iter::repeat_n(b'a', 3 * 1024 * 1024));
    raw_tar_entry(&mut t, "manifest.json", tar::EntryType::Regular, "", b"[]");
    raw_tar_end(&mut t);
    std::fs::write(&p, &t).unwrap();
    let err = analyze(&p.display().to_string()).unwrap_err();
    assert!(
        err.to_string().contains("type `L` has 3145728 bytes"),
        "{err}"
    );
}

#[test]
fn compressed_archive_bomb_and_truncation_are_errors() {
    // a gzipped "archive" whose first member is a 300 MiB file of zeros
    let bomb = zeros_bomb();
    let dir = TempDir::new("hostile-packed");
    let path = dir.join("bomb.tar.gz");
    std::fs::write(&path, &bomb).unwrap();
    let err = analyze(&path.display().to_string()).unwrap_err();
    assert!(
        matches!(err, ImageError::DecompressionBomb { limit: 200, .. }),
        "{err}"
    );

    // a gzipped docker-save archive cut short: an error, before or while
    // the layers are read
    let img = fixture::research_fixture();
    let plain = dir.join("image.tar");
    fixture::docker_legacy(&img.blobs(FxCompression::None), "x:y", false)
        .write_tar(&plain)
        .unwrap();
    let packed = fixture::compress(&std::fs::read(&plain).unwrap(), FxCompression::Gzip);
    let cut = dir.join("cut.tar.gz");
    std::fs::write(&cut, &packed[..packed.len() * 2 / 3]).unwrap();
    let err = analyze(&cut.display().to_string()).unwrap_err();
    assert!(err.to_string().contains("cut.tar.gz"), "{err}");

    // garbage behind a gzip magic number
    let junk = dir.join("junk.tar.gz");
    std::fs::write(&junk, b"\x1f\x8b\x08\x00garbage").unwrap();
    let err = analyze(&junk.display().to_string()).unwrap_err();
    assert!(matches!(err, ImageError::UnknownFormat { .. }), "{err}");
    assert_eq!(listing(dir.path()).len(), 4, "nothing was written");
}

#[test]
fn many_layers_sharing_a_blob_in_a_compressed_archive_are_read_once() {
    // layers naming one large blob: one scan, not one per layer at once
    let big = fixture::seeded_bytes(3, 5 * 1024 * 1024);
    let layer = FxLayer::new("ADD rootfs.tar /").file("data/big.bin", big);
    let img = image_of(vec![layer; 12]);
    let dir = TempDir::new("hostile-shared");
    let plain = dir.join("image.tar");
    fixture::docker25(&img.blobs(FxCompression::None), "x:y")
        .write_tar(&plain)
        .unwrap();
    let packed = dir.join("image.tar.gz");
    std::fs::write(
        &packed,
        fixture::compress(&std::fs::read(&plain).unwrap(), FxCompression::Gzip),
    )
    .unwrap();
    let a = analyze(&packed.display().to_string()).unwrap();
    assert_eq!(a.layers.len(), 12);
    assert_eq!(a.waste.reclaimable_bytes, 11 * 5 * 1024 * 1024);
}
