//! A small blocking client for the OCI distribution API: manifests and
//! blobs, anonymous or with credentials from the Docker config file, with
//! Bearer-token and Basic authentication.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;

use super::blob::{BlobReader, Digest, MAX_DOCUMENT_BYTES};
use super::error::ImageError;

const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.v2+json";

#[derive(Clone, Debug, Default)]
pub struct RegistryOptions {
    /// Plain HTTP instead of HTTPS.
    pub insecure: bool,
    /// The Docker config file; `$DOCKER_CONFIG/config.json` or
    /// `~/.docker/config.json` when `None`.
    pub docker_config: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

pub struct Client {
    agent: ureq::Agent,
    base: String,
    registry: String,
    repository: String,
    /// Tag or digest from the reference.
    reference: String,
    pinned: Option<Digest>,
    credentials: Option<Credentials>,
    /// `Authorization` header value once negotiated.
    auth: Mutex<Option<String>>,
}

impl Client {
    /// Parses `reference` and prepares a client (no request is made yet).
    pub fn connect(reference: &str, options: &RegistryOptions) -> Result<Client, ImageError> {
        let parsed: oci_spec::distribution::Reference =
            reference
                .parse()
                .map_err(
                    |e: oci_spec::distribution::ParseError| ImageError::InvalidReference {
                        value: reference.to_string(),
                        message: e.to_string(),
                    },
                )?;
        let registry = parsed.registry().to_string();
        let host = match registry.as_str() {
            "docker.io" | "index.docker.io" => "registry-1.docker.io".to_string(),
            other => other.to_string(),
        };
        let scheme = if options.insecure { "http" } else { "https" };
        let pinned = parsed.digest().and_then(Digest::parse);
        let tag = parsed
            .digest()
            .map(str::to_string)
            .or_else(|| parsed.tag().map(str::to_string))
            .unwrap_or_else(|| "latest".to_string());
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_per_read(Some(Duration::from_secs(120)))
            .max_redirects(5)
            .user_agent(concat!("imglint/", env!("CARGO_PKG_VERSION")))
            .build();
        let credentials = load_credentials(options.docker_config.as_deref(), &registry);
        Ok(Client {
            agent: ureq::Agent::new_with_config(config),
            base: format!("{scheme}://{host}"),
            registry,
            repository: parsed.repository().to_string(),
            reference: tag,
            pinned,
            credentials,
            auth: Mutex::new(None),
        })
    }

    pub fn describe(&self) -> String {
        let sep = if self.reference.contains(':') {
            '@'
        } else {
            ':'
        };
        format!(
            "{}/{}{sep}{}",
            self.registry, self.repository, self.reference
        )
    }

    pub fn reference_tag(&self) -> &str {
        &self.reference
    }

    pub fn reference_digest(&self) -> Option<&Digest> {
        self.pinned.as_ref()
    }

    /// HEADs a manifest or index by tag or digest: its digest, as the
    /// registry reports it (`Docker-Content-Digest`). Registries do not
    /// count a HEAD as a pull.
    pub fn head_manifest(&self, reference: &str) -> Result<Option<String>, ImageError> {
        let url = format!("{}/v2/{}/manifests/{reference}", self.base, self.repository);
        let resp = self.request(&url, Some(MANIFEST_ACCEPT), true)?;
        Ok(resp
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string))
    }

    /// GETs a manifest or index by tag or digest: bytes and content type.
    pub fn get_manifest(&self, reference: &str) -> Result<(Vec<u8>, Option<String>), ImageError> {
        let url = format!("{}/v2/{}/manifests/{reference}", self.base, self.repository);
        let mut resp = self.get(&url, Some(MANIFEST_ACCEPT))?;
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.split(';').next().unwrap_or_default().trim().to_string());
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(MAX_DOCUMENT_BYTES)
            .read_to_vec()
            .map_err(|e| self.error(&url, e.to_string()))?;
        Ok((bytes, content_type))
    }

    /// Streams a blob.
    pub fn open_blob(&self, digest: &Digest) -> Result<BlobReader, ImageError> {
        let url = format!("{}/v2/{}/blobs/{digest}", self.base, self.repository);
        let resp = self.get(&url, None)?;
        let reader = resp.into_body().into_reader();
        Ok(Box::new(ReadErrors { inner: reader }))
    }

    fn error(&self, url: &str, message: String) -> ImageError {
        ImageError::Registry {
            url: url.to_string(),
            message,
        }
    }

    fn send(
        &self,
        url: &str,
        accept: Option<&str>,
        auth: Option<&str>,
        head: bool,
    ) -> Result<ureq::http::Response<ureq::Body>, ImageError> {
        let mut req = if head {
            self.agent.head(url)
        } else {
            self.agent.get(url)
        };
        if let Some(a) = accept {
            req = req.header("Accept", a);
        }
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        req.call().map_err(|e| self.error(url, e.to_string()))
    }

    /// GET with authentication negotiated on the first 401.
    fn get(
        &self,
        url: &str,
        accept: Option<&str>,
    ) -> Result<ureq::http::Response<ureq::Body>, ImageError> {
        self.request(url, accept, false)
    }

    /// GET or HEAD with authentication negotiated on the first 401.
    fn request(
        &self,
        url: &str,
        accept: Option<&str>,
        head: bool,
    ) -> Result<ureq::http::Response<ureq::Body>, ImageError> {
        let current = self.auth.lock().map(|g| g.clone()).unwrap_or(None);
        let mut resp = self.send(url, accept, current.as_deref(), head)?;
        if resp.status().as_u16() == 401 {
            let challenge = resp
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let header = self.authenticate(&challenge)?;
            if let Ok(mut g) = self.auth.lock() {
                *g = Some(header.clone());
            }
            resp = self.send(url, accept, Some(&header), head)?;
        }
        let status = resp.status().as_u16();
        match status {
            200..=299 => Ok(resp),
            401 | 403 => Err(ImageError::RegistryAuth {
                registry: self.registry.clone(),
                repository: self.repository.clone(),
                message: format!("HTTP {status}{}", error_detail(&mut resp)),
            }),
            404 => Err(ImageError::MissingBlob {
                what: format!("registry `{}`", self.describe()),
                name: url.rsplit('/').next().unwrap_or(url).to_string(),
            }),
            _ => Err(self.error(url, format!("HTTP {status}{}", error_detail(&mut resp)))),
        }
    }

    /// Answers a `WWW-Authenticate` challenge with an `Authorization` value.
    fn authenticate(&self, challenge: &str) -> Result<String, ImageError> {
        let (scheme, params) = parse_challenge(challenge);
        let refuse = |message: String| ImageError::RegistryAuth {
            registry: self.registry.clone(),
            repository: self.repository.clone(),
            message,
        };
        if scheme.eq_ignore_ascii_case("basic") {
            let Some(c) = &self.credentials else {
                return Err(refuse("credentials required and none found".into()));
            };
            return Ok(format!("Basic {}", basic(c)));
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(refuse(format!("unsupported authentication `{challenge}`")));
        }
        let realm = params
            .iter()
            .find(|(k, _)| k == "realm")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| refuse("token challenge without a realm".into()))?;
        let mut query = Vec::new();
        if let Some((_, service)) = params.iter().find(|(k, _)| k == "service") {
            query.push(format!("service={}", encode_query(service)));
        }
        let scope = params
            .iter()
            .find(|(k, _)| k == "scope")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| format!("repository:{}:pull", self.repository));
        query.push(format!("scope={}", encode_query(&scope)));
        let sep = if realm.contains('?') { '&' } else { '?' };
        let url = format!("{realm}{sep}{}", query.join("&"));
        let mut req = self.agent.get(&url);
        if let Some(c) = &self.credentials {
            req = req.header("Authorization", format!("Basic {}", basic(c)));
        }
        let mut resp = req.call().map_err(|e| self.error(&url, e.to_string()))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(refuse(format!(
                "token service answered HTTP {status}{}",
                error_detail(&mut resp)
            )));
        }
        #[derive(Deserialize)]
        struct Token {
            token: Option<String>,
            access_token: Option<String>,
        }
        let body = resp
            .body_mut()
            .with_config()
            .limit(1024 * 1024)
            .read_to_vec()
            .map_err(|e| self.error(&url, e.to_string()))?;
        let token: Token = serde_json::from_slice(&body)
            .map_err(|e| refuse(format!("token service answered invalid JSON ({e})")))?;
        let token = token
            .token
            .or(token.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| refuse("token service returned no token".into()))?;
        Ok(format!("Bearer {token}"))
    }
}

/// Registry error bodies are JSON `{"errors":[{"code","message"}]}`.
fn error_detail(resp: &mut ureq::http::Response<ureq::Body>) -> String {
    let body = resp
        .body_mut()
        .with_config()
        .limit(64 * 1024)
        .read_to_vec()
        .unwrap_or_default();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    let first = v.get("errors").and_then(|e| e.get(0));
    match first {
        Some(e) => format!(
            ": {} {}",
            e.get("code").and_then(|c| c.as_str()).unwrap_or_default(),
            e.get("message")
                .and_then(|c| c.as_str())
                .unwrap_or_default()
        ),
        None => String::new(),
    }
}

fn basic(c: &Credentials) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.username, c.password))
}

fn encode_query(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `Bearer realm="…",service="…",scope="…"` → scheme and parameters.
pub fn parse_challenge(header: &str) -> (String, Vec<(String, String)>) {
    let header = header.trim();
    let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        if let Some(n) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek() {
                if *c == ',' {
                    break;
                }
                value.push(*c);
                chars.next();
            }
        }
        params.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    (scheme.to_string(), params)
}

#[derive(Deserialize, Default)]
struct DockerConfig {
    #[serde(default)]
    auths: std::collections::BTreeMap<String, AuthEntry>,
    #[serde(rename = "credsStore", default)]
    creds_store: Option<String>,
    #[serde(rename = "credHelpers", default)]
    cred_helpers: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

/// Credentials for `registry` from the Docker config file's `auths`.
pub fn load_credentials(path: Option<&std::path::Path>, registry: &str) -> Option<Credentials> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => match std::env::var_os("DOCKER_CONFIG") {
            Some(dir) => PathBuf::from(dir).join("config.json"),
            None => PathBuf::from(std::env::var_os("HOME")?).join(".docker/config.json"),
        },
    };
    let file = std::fs::File::open(path).ok()?;
    let mut text = Vec::new();
    file.take(MAX_DOCUMENT_BYTES).read_to_end(&mut text).ok()?;
    let config: DockerConfig = serde_json::from_slice(&text).ok()?;
    let helper = config
        .cred_helpers
        .get(registry)
        .or(config.creds_store.as_ref())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if let Some(helper) = helper
        && let Some(program) = find_on_path(&format!("docker-credential-{helper}"))
    {
        let server = if is_hub(registry) {
            "https://index.docker.io/v1/".to_string()
        } else {
            registry.to_string()
        };
        if let Some(c) = run_helper(&program, &server) {
            return Some(c);
        }
    }
    credentials_for(&config, registry)
}

fn is_hub(registry: &str) -> bool {
    matches!(
        registry,
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    )
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Asks a Docker credential helper (`docker-credential-NAME get`), with a
/// time limit.
pub fn run_helper(program: &std::path::Path, server: &str) -> Option<Credentials> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if std::time::Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let mut out = Vec::new();
    child
        .stdout
        .take()?
        .take(MAX_DOCUMENT_BYTES)
        .read_to_end(&mut out)
        .ok()?;
    #[derive(Deserialize)]
    struct HelperAnswer {
        #[serde(rename = "Username")]
        username: String,
        #[serde(rename = "Secret")]
        secret: String,
    }
    let a: HelperAnswer = serde_json::from_slice(&out).ok()?;
    Some(Credentials {
        username: a.username,
        password: a.secret,
    })
}

fn credentials_for(config: &DockerConfig, registry: &str) -> Option<Credentials> {
    let hub = is_hub(registry);
    let entry = config.auths.iter().find_map(|(key, entry)| {
        let host = key
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default();
        let same = host == registry || (hub && host.ends_with("docker.io"));
        same.then_some(entry)
    })?;
    if let Some(auth) = &entry.auth {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (u, p) = text.split_once(':')?;
        return Some(Credentials {
            username: u.to_string(),
            password: p.to_string(),
        });
    }
    Some(Credentials {
        username: entry.username.clone()?,
        password: entry.password.clone()?,
    })
}

/// Turns transport errors into I/O errors while streaming.
struct ReadErrors<R> {
    inner: R,
}

impl<R: Read> Read for ReadErrors<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_challenges() {
        let (scheme, params) = parse_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#,
        );
        assert_eq!(scheme, "Bearer");
        assert_eq!(
            params,
            vec![
                ("realm".into(), "https://auth.example/token".into()),
                ("service".into(), "registry.example".into()),
                ("scope".into(), "repository:a/b:pull".into()),
            ]
        );
        let (scheme, params) = parse_challenge("Basic realm=x");
        assert_eq!(scheme, "Basic");
        assert_eq!(params, vec![("realm".into(), "x".into())]);
    }

    #[test]
    fn reads_docker_config_auths() {
        let config: DockerConfig = serde_json::from_str(
            r#"{"auths": {
                "https://index.docker.io/v1/": {"auth": "dXNlcjpwYXNz"},
                "registry.example:5000": {"username": "u2", "password": "p2"}
            }}"#,
        )
        .unwrap();
        let hub = credentials_for(&config, "docker.io").unwrap();
        assert_eq!(
            (hub.username.as_str(), hub.password.as_str()),
            ("user", "pass")
        );
        let other = credentials_for(&config, "registry.example:5000").unwrap();
        assert_eq!(other.username, "u2");
        assert!(credentials_for(&config, "ghcr.io").is_none());
    }

    #[test]
    fn asks_credential_helpers() {
        let dir = std::env::temp_dir().join(format!("imglint-helper-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let helper = dir.join("docker-credential-test");
        std::fs::write(
            &helper,
            "#!/bin/sh\nread server\n[ \"$1\" = get ] && [ \"$server\" = registry.example ] && echo '{\"ServerURL\":\"x\",\"Username\":\"u\",\"Secret\":\"s3\"}'\n",
        )
        .unwrap();
        std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let c = run_helper(&helper, "registry.example").unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("u", "s3"));
        assert!(run_helper(&helper, "other.example").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn describes_references() {
        let c = Client::connect("127.0.0.1:5000/team/app:v1", &RegistryOptions::default()).unwrap();
        assert_eq!(c.describe(), "127.0.0.1:5000/team/app:v1");
        assert_eq!(c.base, "https://127.0.0.1:5000");
        let hub = Client::connect("alpine", &RegistryOptions::default()).unwrap();
        assert_eq!(hub.repository, "library/alpine");
        assert_eq!(hub.reference, "latest");
        assert_eq!(hub.base, "https://registry-1.docker.io");
    }
}
