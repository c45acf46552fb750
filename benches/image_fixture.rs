//! Image benchmark helper (run by `benches/image.sh`).
//!
//! `image_fixture generate OUT.tar [SCALE]` writes a deterministic
//! `docker save` archive of about SCALE × 100 MB content (default 3) with
//! realistic churn: a large base layer, an application layer that
//! overwrites part of it, a cleanup layer with directory deletions, a
//! `chown -R` style re-add and a small config layer.
//!
//! `image_fixture research OUT.tar` writes the 3-layer fixture of the
//! image research notes as a `docker save` archive.
//!
//! `image_fixture analyze SOURCE` opens and analyses an image with the
//! library, as `imglint image` does, and prints the headline numbers.

use imglint::image::fixture::{self, FxCompression, FxImage, FxLayer, seeded_bytes};
use imglint::image::{self, AnalyzeOptions, Options};

/// A file size between 200 B and ~64 kB, skewed small like real trees.
fn size_for(i: u64) -> usize {
    let r = (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % 1000;
    match r {
        0..=599 => 200 + (r as usize) * 7,
        600..=899 => 4_000 + (r as usize - 600) * 80,
        900..=989 => 30_000 + (r as usize - 900) * 400,
        _ => 200_000 + (r as usize - 990) * 100_000,
    }
}

fn build(scale: u64) -> FxImage {
    let mut base = FxLayer::new("ADD rootfs.tar /");
    let mut total = 0usize;
    let mut i = 0u64;
    let mut names = Vec::new();
    while total < (scale as usize) * 60_000_000 {
        let dir = format!("usr/lib/pkg{:03}/sub{:02}", i % 400, (i / 400) % 30);
        let name = format!("{dir}/file{i:06}.so");
        let size = size_for(i);
        base = base.file(&name, seeded_bytes(i, size));
        names.push(name);
        total += size;
        i += 1;
    }
    // the application: new files plus 10% of the base rewritten
    let mut app = FxLayer::new("/bin/sh -c make install");
    let mut added = 0usize;
    let mut j = 0u64;
    while added < (scale as usize) * 25_000_000 {
        let size = size_for(j + 1_000_000);
        app = app.file(
            &format!("opt/app/lib/m{:03}/f{j:06}.py", j % 500),
            seeded_bytes(j + 1_000_000, size),
        );
        added += size;
        j += 1;
    }
    for (k, name) in names.iter().enumerate().step_by(10) {
        app = app.file(name, seeded_bytes(k as u64 + 5_000_000, size_for(k as u64)));
    }
    // cleanup: delete whole package directories, leave a cache behind
    let mut cleanup = FxLayer::new("/bin/sh -c rm -rf /usr/lib/pkg00* && apt-get update");
    for p in 0..10 {
        cleanup = cleanup.file(&format!("usr/lib/.wh.pkg{p:03}"), "");
    }
    let mut cache = 0usize;
    let mut c = 0u64;
    while cache < (scale as usize) * 8_000_000 {
        let size = size_for(c + 9_000_000);
        cleanup = cleanup.file(
            &format!("var/lib/apt/lists/list{c:05}_Packages"),
            seeded_bytes(c + 9_000_000, size),
        );
        cache += size;
        c += 1;
    }
    // chown -R of part of the application: same bytes again
    let mut chown = FxLayer::new("/bin/sh -c chown -R app:app /opt/app/lib/m00*");
    for (k, e) in app.entries.iter().enumerate() {
        if e.name.starts_with("opt/app/lib/m00")
            && let fixture::FxKind::File(content) = &e.kind
        {
            chown = chown.file_mode(&e.name, content.clone(), 0o640);
            if k > 200_000 {
                break;
            }
        }
    }
    let config = FxLayer::new("COPY config.yml /etc/app/config.yml")
        .file("etc/app/config.yml", "listen: 8080\n");
    FxImage {
        layers: vec![base, app, cleanup, chown, config],
        config: serde_json::json!({"User": "app", "Cmd": ["/opt/app/run"]}),
        empty_history: vec![(5, "/bin/sh -c #(nop)  CMD [\"/opt/app/run\"]".into())],
        architecture: "amd64".into(),
        variant: None,
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.first().map(String::as_str) {
        Some("generate") => {
            let Some(out) = args.get(1) else {
                eprintln!("usage: image_fixture generate OUT.tar [SCALE]");
                std::process::exit(2);
            };
            let scale = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
            let img = build(scale);
            let blobs = img.blobs(FxCompression::None);
            let files = fixture::docker_legacy(&blobs, "imglint/bench:v1", true);
            if let Err(e) = files.write_tar(std::path::Path::new(out)) {
                eprintln!("cannot write {out}: {e}");
                std::process::exit(2);
            }
            let content: u64 = img.layers.iter().map(FxLayer::content_bytes).sum();
            let entries: usize = img.layers.iter().map(|l| l.entries.len()).sum();
            println!(
                "wrote {out}: {} layers, {entries} entries, {content} content bytes",
                img.layers.len()
            );
        }
        Some("research") => {
            // the research document's 3-layer fixture, as a docker-save tar
            let Some(out) = args.get(1) else {
                eprintln!("usage: image_fixture research OUT.tar");
                std::process::exit(2);
            };
            let blobs = fixture::research_fixture().blobs(FxCompression::None);
            let files = fixture::docker_legacy(&blobs, "imglint/fixture:v1", false);
            if let Err(e) = files.write_tar(std::path::Path::new(out)) {
                eprintln!("cannot write {out}: {e}");
                std::process::exit(2);
            }
        }
        Some("analyze") => {
            let Some(src) = args.get(1) else {
                eprintln!("usage: image_fixture analyze SOURCE");
                std::process::exit(2);
            };
            let result = image::open(src, &Options::default())
                .and_then(|img| image::analyze(&img, &AnalyzeOptions::default()));
            match result {
                Ok(a) => println!(
                    "efficiency {} wasted {} reclaimable {} findings {}",
                    a.dive.efficiency,
                    a.dive.wasted_bytes,
                    a.waste.reclaimable_bytes,
                    a.findings().count()
                ),
                Err(e) => {
                    eprintln!("{src}: {e}");
                    std::process::exit(2);
                }
            }
        }
        // `cargo bench` without arguments: nothing to time here, the
        // comparison with dive lives in benches/image.sh
        _ => println!("image_fixture: run benches/image.sh"),
    }
}
