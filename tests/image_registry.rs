//! Reading images from a registry: a real `docker-registry` on 127.0.0.1
//! seeded by plain HTTP pushes, and a small in-process server for the
//! Bearer-token flow with credentials from a Docker config file.

mod image_support;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use image_support::*;
use imglint::image::fixture::{Blobs, FxCompression, research_fixture};
use imglint::image::{self, ImageError, Options};

fn insecure() -> Options {
    Options {
        insecure: true,
        ..Options::default()
    }
}

#[test]
fn reads_images_from_a_real_registry() {
    let Some(reg) = start_registry() else { return };
    let base = format!("http://127.0.0.1:{}", reg.port);
    let host = format!("127.0.0.1:{}", reg.port);
    let img = research_fixture();
    let gz = img.blobs(FxCompression::Gzip);
    push_image(&base, "imglint/fixture", "v1", &gz);
    push_image(
        &base,
        "imglint/fixture",
        "v1-zstd",
        &img.blobs(FxCompression::Zstd),
    );

    let a = analyze_with(&format!("{host}/imglint/fixture:v1"), &insecure()).unwrap();
    assert_eq!(a.image.format, image::SourceFormat::Registry);
    assert_eq!(
        a.image.manifest_digest.as_deref(),
        Some(gz.manifest_digest.to_string().as_str())
    );
    assert_fixture_numbers(&a);

    let a = analyze_with(&format!("{host}/imglint/fixture:v1-zstd"), &insecure()).unwrap();
    assert_eq!(a.layers[0].compression, image::Compression::Zstd);
    assert_fixture_numbers(&a);

    // pinned by digest, with the `registry:` prefix
    let pinned = format!("registry:{host}/imglint/fixture@{}", gz.manifest_digest);
    assert_fixture_numbers(&analyze_with(&pinned, &insecure()).unwrap());

    // an unknown tag and an unknown repository are clear errors
    let err = analyze_with(&format!("{host}/imglint/fixture:nope"), &insecure()).unwrap_err();
    assert!(matches!(err, ImageError::MissingBlob { .. }), "{err}");
    assert!(err.to_string().contains("nope"), "{err}");
    let err = analyze_with(&format!("{host}/other/repo:v1"), &insecure()).unwrap_err();
    assert!(matches!(err, ImageError::MissingBlob { .. }), "{err}");

    // without --insecure the client insists on TLS and fails cleanly
    let err = analyze_with(&format!("{host}/imglint/fixture:v1"), &Options::default()).unwrap_err();
    assert!(matches!(err, ImageError::Registry { .. }), "{err}");
}

#[test]
fn picks_a_platform_from_a_registry_index() {
    let Some(reg) = start_registry() else { return };
    let base = format!("http://127.0.0.1:{}", reg.port);
    let host = format!("127.0.0.1:{}", reg.port);
    let amd_image = research_fixture();
    let mut arm_image = amd_image.clone();
    arm_image.architecture = "arm64".into();
    arm_image.variant = Some("v8".into());
    let amd = amd_image.blobs(FxCompression::Gzip);
    let arm = arm_image.blobs(FxCompression::Gzip);
    let mt = "application/vnd.oci.image.manifest.v1+json";
    push_image(
        &base,
        "imglint/multi",
        &amd.manifest_digest.to_string(),
        &amd,
    );
    push_blob(
        &base,
        "imglint/multi",
        &arm.config_digest.to_string(),
        &arm.config,
    );
    push_manifest(
        &base,
        "imglint/multi",
        &arm.manifest_digest.to_string(),
        mt,
        &arm.manifest,
    );
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"mediaType": mt, "digest": amd.manifest_digest.to_string(), "size": amd.manifest.len(),
             "platform": {"architecture": "amd64", "os": "linux"}},
            {"mediaType": mt, "digest": arm.manifest_digest.to_string(), "size": arm.manifest.len(),
             "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}
        ]
    }))
    .unwrap();
    push_manifest(
        &base,
        "imglint/multi",
        "multi",
        "application/vnd.oci.image.index.v1+json",
        &index,
    );

    let options = Options {
        platform: Some("linux/arm64".into()),
        ..insecure()
    };
    let a = analyze_with(&format!("{host}/imglint/multi:multi"), &options).unwrap();
    assert_eq!(a.image.platform, "linux/arm64/v8");
    assert_eq!(
        a.image.manifest_digest.as_deref(),
        Some(arm.manifest_digest.to_string().as_str())
    );
    assert_fixture_numbers(&a);
    let options = Options {
        platform: Some("windows/amd64".into()),
        ..insecure()
    };
    let err = analyze_with(&format!("{host}/imglint/multi:multi"), &options).unwrap_err();
    assert!(
        matches!(err, ImageError::NoMatchingPlatform { .. }),
        "{err}"
    );
}

/// A tiny registry that demands a Bearer token, issued only to `user:pass`.
struct MockRegistry {
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

fn serve(stream: TcpStream, port: u16, blobs: Arc<Blobs>, log: Arc<Mutex<Vec<String>>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut stream = stream;
    // bounded: one connection serves at most 50 requests
    for _ in 0..50 {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut auth = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("authorization")
            {
                auth = v.trim().to_string();
            }
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        if let Ok(mut l) = log.lock() {
            l.push(format!("{path} [{auth}]"));
        }
        if path.starts_with("/token") {
            if auth == "Basic dXNlcjpwYXNz" {
                respond(&mut stream, "200 OK", &[], br#"{"token":"tok123"}"#);
            } else {
                respond(&mut stream, "401 Unauthorized", &[], b"{}");
            }
            continue;
        }
        if auth != "Bearer tok123" {
            let challenge = format!(
                "Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"mock\",scope=\"repository:imglint/fixture:pull\""
            );
            respond(
                &mut stream,
                "401 Unauthorized",
                &[("WWW-Authenticate", challenge)],
                b"",
            );
            continue;
        }
        let repo = "/v2/imglint/fixture/";
        let body: Option<(Vec<u8>, &str)> = if path == format!("{repo}manifests/v1") {
            Some((
                blobs.manifest.clone(),
                "application/vnd.oci.image.manifest.v1+json",
            ))
        } else if let Some(d) = path.strip_prefix(&format!("{repo}blobs/")) {
            if d == blobs.config_digest.to_string() {
                Some((blobs.config.clone(), "application/octet-stream"))
            } else {
                blobs
                    .layers
                    .iter()
                    .find(|l| l.digest.to_string() == d)
                    .map(|l| (l.blob.clone(), "application/octet-stream"))
            }
        } else {
            None
        };
        match body {
            Some((b, ct)) => respond(
                &mut stream,
                "200 OK",
                &[("Content-Type", ct.to_string())],
                &b,
            ),
            None => respond(
                &mut stream,
                "404 Not Found",
                &[],
                b"{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"unknown\"}]}",
            ),
        }
    }
}

fn start_mock(blobs: Blobs) -> MockRegistry {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let blobs = Arc::new(blobs);
    let thread_log = Arc::clone(&log);
    std::thread::spawn(move || {
        // bounded: at most 100 connections
        for stream in listener.incoming().take(100).flatten() {
            let (b, l) = (Arc::clone(&blobs), Arc::clone(&thread_log));
            std::thread::spawn(move || serve(stream, port, b, l));
        }
    });
    MockRegistry { port, log }
}

#[test]
fn bearer_token_flow_uses_docker_config_credentials() {
    let mock = start_mock(research_fixture().blobs(FxCompression::Gzip));
    let dir = TempDir::new("docker-config");
    let config = dir.join("config.json");
    let host = format!("127.0.0.1:{}", mock.port);
    std::fs::write(
        &config,
        format!(r#"{{"auths": {{"{host}": {{"auth": "dXNlcjpwYXNz"}}}}}}"#),
    )
    .unwrap();
    let options = Options {
        insecure: true,
        docker_config: Some(config),
        ..Options::default()
    };
    let a = analyze_with(&format!("{host}/imglint/fixture:v1"), &options).unwrap();
    assert_fixture_numbers(&a);
    let log = mock.log.lock().unwrap().clone();
    let token_requests: Vec<&String> = log.iter().filter(|l| l.starts_with("/token")).collect();
    assert!(!token_requests.is_empty(), "{log:#?}");
    assert!(
        token_requests[0].contains("service=mock")
            && token_requests[0].contains("scope=repository%3Aimglint%2Ffixture%3Apull")
            && token_requests[0].ends_with("[Basic dXNlcjpwYXNz]"),
        "{log:#?}"
    );

    // without credentials the token service refuses and we say so
    let empty = dir.join("empty.json");
    std::fs::write(&empty, "{}").unwrap();
    let options = Options {
        insecure: true,
        docker_config: Some(empty),
        ..Options::default()
    };
    let err = analyze_with(&format!("{host}/imglint/fixture:v1"), &options).unwrap_err();
    assert!(matches!(err, ImageError::RegistryAuth { .. }), "{err}");
    assert!(err.to_string().contains("HTTP 401"), "{err}");
}

#[test]
fn registry_blob_with_wrong_content_is_refused() {
    let mut blobs = research_fixture().blobs(FxCompression::Gzip);
    // the server sends other bytes than the manifest promises
    let n = blobs.layers[2].blob.len();
    blobs.layers[2].blob = vec![0x1f; n];
    let mock = start_mock(blobs);
    let dir = TempDir::new("docker-config-2");
    let config = dir.join("config.json");
    let host = format!("127.0.0.1:{}", mock.port);
    std::fs::write(
        &config,
        format!(r#"{{"auths": {{"{host}": {{"auth": "dXNlcjpwYXNz"}}}}}}"#),
    )
    .unwrap();
    let options = Options {
        insecure: true,
        docker_config: Some(config),
        ..Options::default()
    };
    let err = analyze_with(&format!("{host}/imglint/fixture:v1"), &options).unwrap_err();
    assert!(err.to_string().starts_with("layer 2 (sha256:"), "{err}");
}
