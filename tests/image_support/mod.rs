//! Helpers shared by the image tests.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use imglint::image::fixture::{self, Blobs, FxCompression, FxImage};
use imglint::image::{self, Analysis, AnalyzeOptions, ImageError, Options};

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "imglint-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The research fixture's numbers.
pub const EFFICIENCY: f64 = 0.7744106050896143;
pub const WASTED: u64 = 1_574_090;
pub const USER_WASTED_RATIO: f64 = 2.995117514537096;
pub const RECLAIMABLE: u64 = 1_633_354;
pub const LAYER_CONTENT: [u64; 3] = [3_615_610, 524_480, 1_072];

pub fn analyze_with(source: &str, options: &Options) -> Result<Analysis, ImageError> {
    let img = image::open(source, options)?;
    image::analyze(&img, &AnalyzeOptions::default())
}

pub fn analyze(source: &str) -> Result<Analysis, ImageError> {
    analyze_with(source, &Options::default())
}

/// Asserts every number the research notes give for the fixture.
pub fn assert_fixture_numbers(a: &Analysis) {
    assert_eq!(a.dive.efficiency, EFFICIENCY, "efficiency");
    assert_eq!(a.dive.wasted_bytes, WASTED, "wasted bytes");
    assert_eq!(
        a.dive.user_wasted_ratio, USER_WASTED_RATIO,
        "user wasted ratio"
    );
    assert_eq!(a.waste.reclaimable_bytes, RECLAIMABLE, "reclaimable");
    let content: Vec<u64> = a.layers.iter().map(|l| l.content_bytes).collect();
    assert_eq!(content, LAYER_CONTENT, "layer content");
    let ledger: u64 = a.waste.entries.iter().map(|w| w.bytes).sum();
    assert_eq!(ledger, RECLAIMABLE, "ledger adds up");
}

pub enum Shape {
    OciDir(FxCompression),
    OciTar,
    DockerLegacyTar,
    DockerSymlinkedTar,
    DockerLegacyDir,
    Docker25Tar,
}

/// Writes `image` in `shape` under `dir`; returns the source to open.
pub fn write(image: &FxImage, shape: Shape, dir: &TempDir) -> String {
    match shape {
        Shape::OciDir(c) => {
            let p = dir.join("oci");
            fixture::oci_layout(&image.blobs(c), "v1")
                .write_dir(&p)
                .expect("write");
            format!("oci:{}", p.display())
        }
        Shape::OciTar => {
            let p = dir.join("oci.tar");
            fixture::oci_layout(&image.blobs(FxCompression::Gzip), "v1")
                .write_tar(&p)
                .expect("write");
            p.display().to_string()
        }
        Shape::DockerLegacyTar => {
            let p = dir.join("legacy.tar");
            fixture::docker_legacy(
                &image.blobs(FxCompression::None),
                "imglint/fixture:v1",
                false,
            )
            .write_tar(&p)
            .expect("write");
            p.display().to_string()
        }
        Shape::DockerSymlinkedTar => {
            let p = dir.join("skopeo.tar");
            fixture::docker_legacy(
                &image.blobs(FxCompression::None),
                "imglint/fixture:v1",
                true,
            )
            .write_tar(&p)
            .expect("write");
            p.display().to_string()
        }
        Shape::DockerLegacyDir => {
            let p = dir.join("saved");
            fixture::docker_legacy(
                &image.blobs(FxCompression::None),
                "imglint/fixture:v1",
                true,
            )
            .write_dir(&p)
            .expect("write");
            p.display().to_string()
        }
        Shape::Docker25Tar => {
            let p = dir.join("docker25.tar");
            fixture::docker25(&image.blobs(FxCompression::None), "imglint/fixture:v1")
                .write_tar(&p)
                .expect("write");
            p.display().to_string()
        }
    }
}

/// Is an external tool required (CI) rather than optional?
pub fn tools_required() -> bool {
    std::env::var("IMGLINT_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Finds a tool on PATH (or at one of `extra` paths).
pub fn find_tool(name: &str, extra: &[&str]) -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    });
    from_path.or_else(|| extra.iter().map(PathBuf::from).find(|p| p.is_file()))
}

/// The tool, or `None` after printing why the test is skipped (or a panic
/// when tools are required).
pub fn require_tool(name: &str, extra: &[&str]) -> Option<PathBuf> {
    match find_tool(name, extra) {
        Some(p) => Some(p),
        None if tools_required() => {
            panic!("{name} not installed and IMGLINT_REQUIRE_TOOLS=1 (run .ci/setup)")
        }
        None => {
            eprintln!("skipped: {name} not installed (run .ci/setup)");
            None
        }
    }
}

/// A `docker-registry` on a free loopback port, killed on drop.
pub struct Registry {
    child: Child,
    pub port: u16,
    _dir: TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub fn start_registry() -> Option<Registry> {
    let bin = require_tool("docker-registry", &["/usr/bin/docker-registry"])?;
    let dir = TempDir::new("registry");
    let port = free_port();
    let config = dir.join("config.yml");
    std::fs::write(
        &config,
        format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.join("data").display()
        ),
    )
    .expect("write registry config");
    let child = Command::new(bin)
        .arg("serve")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start docker-registry");
    let reg = Registry {
        child,
        port,
        _dir: dir,
    };
    let agent = agent();
    for _ in 0..200 {
        if agent
            .get(&format!("http://127.0.0.1:{port}/v2/"))
            .call()
            .is_ok_and(|r| r.status().as_u16() == 200)
        {
            return Some(reg);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("docker-registry did not answer on 127.0.0.1:{port}");
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build(),
    )
}

pub fn push_blob(base: &str, repo: &str, digest: &str, bytes: &[u8]) {
    let a = agent();
    let resp = a
        .post(&format!("{base}/v2/{repo}/blobs/uploads/"))
        .send_empty()
        .expect("start upload");
    assert_eq!(resp.status().as_u16(), 202);
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("upload location")
        .to_string();
    let location = if location.starts_with('/') {
        format!("{base}{location}")
    } else {
        location
    };
    let sep = if location.contains('?') { '&' } else { '?' };
    let resp = a
        .put(&format!("{location}{sep}digest={digest}"))
        .header("Content-Type", "application/octet-stream")
        .send(bytes)
        .expect("upload blob");
    assert_eq!(resp.status().as_u16(), 201, "blob {digest}");
}

pub fn push_manifest(base: &str, repo: &str, reference: &str, media_type: &str, bytes: &[u8]) {
    let resp = agent()
        .put(&format!("{base}/v2/{repo}/manifests/{reference}"))
        .header("Content-Type", media_type)
        .send(bytes)
        .expect("put manifest");
    assert_eq!(resp.status().as_u16(), 201, "manifest {reference}");
}

pub fn push_image(base: &str, repo: &str, tag: &str, blobs: &Blobs) {
    for l in &blobs.layers {
        push_blob(base, repo, &l.digest.to_string(), &l.blob);
    }
    push_blob(base, repo, &blobs.config_digest.to_string(), &blobs.config);
    push_manifest(
        base,
        repo,
        tag,
        "application/vnd.oci.image.manifest.v1+json",
        &blobs.manifest,
    );
}
