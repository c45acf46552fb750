//! The image config: `oci-spec`'s typed view plus Docker's extra fields
//! (`Healthcheck`, `OnBuild`, `Shell`), read from the same JSON.

use serde::{Deserialize, Serialize};

use super::blob::Digest;
use super::error::ImageError;

/// A Docker healthcheck.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Healthcheck {
    /// `["NONE"]`, `["CMD", args…]` or `["CMD-SHELL", command]`.
    #[serde(rename = "Test", default)]
    pub test: Vec<String>,
}

/// One `history` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct History {
    pub created_by: String,
    pub comment: String,
    pub empty_layer: bool,
}

impl History {
    /// The Dockerfile instruction that made this entry: the upper-case
    /// keyword and the rest, with builder decorations removed
    /// (`/bin/sh -c #(nop) `, `# buildkit`, and the `|N ARG=value` prefix
    /// of `RUN`, which is returned separately).
    pub fn instruction(&self) -> HistoryInstruction {
        parse_created_by(&self.created_by)
    }
}

/// See [`History::instruction`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HistoryInstruction {
    pub keyword: String,
    pub text: String,
    /// Build arguments recorded before a `RUN` command (`|2 A=1 B=2 …`).
    pub build_args: Vec<(String, String)>,
}

const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

pub fn parse_created_by(created_by: &str) -> HistoryInstruction {
    let mut text = created_by.trim();
    if let Some(rest) = text.strip_suffix("# buildkit") {
        text = rest.trim_end();
    }
    let mut keyword = String::new();
    if let Some(rest) = text.strip_prefix("/bin/sh -c #(nop)") {
        text = rest.trim_start();
    } else if let Some(rest) = text.strip_prefix("/bin/sh -c ") {
        keyword = "RUN".into();
        text = rest.trim_start();
    }
    if keyword.is_empty() {
        let first = text.split_whitespace().next().unwrap_or_default();
        if KEYWORDS.contains(&first) {
            keyword = first.to_string();
            text = text.get(first.len()..).unwrap_or_default().trim_start();
        } else if text.starts_with('|') {
            keyword = "RUN".into();
        }
    }
    let mut build_args = Vec::new();
    if keyword == "RUN"
        && let Some(rest) = text.strip_prefix('|')
    {
        let mut words = rest.split(' ');
        let count: usize = words.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let mut consumed = 1 + rest.split(' ').next().map_or(0, str::len);
        for _ in 0..count {
            let Some(w) = words.next() else { break };
            consumed += 1 + w.len();
            let (k, v) = w.split_once('=').unwrap_or((w, ""));
            build_args.push((k.to_string(), v.to_string()));
        }
        text = rest.get(consumed..).unwrap_or_default().trim_start();
    }
    if keyword == "RUN" {
        for shell in ["/bin/sh -c ", "/bin/bash -c "] {
            if let Some(rest) = text.strip_prefix(shell) {
                text = rest;
                break;
            }
        }
    }
    HistoryInstruction {
        keyword,
        text: text.to_string(),
        build_args,
    }
}

/// What the checks and reports need from the config.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImageConfig {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
    pub user: String,
    /// `KEY=value` pairs, split at the first `=`.
    pub env: Vec<(String, String)>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub working_dir: String,
    pub exposed_ports: Vec<String>,
    pub volumes: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub healthcheck: Option<Healthcheck>,
    pub onbuild: Vec<String>,
    pub shell: Vec<String>,
    pub history: Vec<History>,
    pub diff_ids: Vec<Digest>,
}

#[derive(Deserialize, Default)]
struct DockerExtras {
    #[serde(default)]
    config: Option<DockerExtrasInner>,
}

#[derive(Deserialize, Default)]
struct DockerExtrasInner {
    #[serde(rename = "Healthcheck", default)]
    healthcheck: Option<Healthcheck>,
    #[serde(rename = "OnBuild", default)]
    on_build: Option<Vec<String>>,
    #[serde(rename = "Shell", default)]
    shell: Option<Vec<String>>,
}

impl ImageConfig {
    /// Parses the config blob (`what` names it in errors).
    pub fn parse(bytes: &[u8], what: &str) -> Result<ImageConfig, ImageError> {
        let typed: oci_spec::image::ImageConfiguration =
            serde_json::from_slice(bytes).map_err(|e| ImageError::json(what, &e))?;
        let extras: DockerExtras =
            serde_json::from_slice(bytes).map_err(|e| ImageError::json(what, &e))?;
        let extras = extras.config.unwrap_or_default();

        let mut diff_ids = Vec::new();
        for d in typed.rootfs().diff_ids() {
            let digest = Digest::parse(d).ok_or_else(|| {
                ImageError::invalid(
                    what,
                    format!("`rootfs.diff_ids` has a malformed digest `{d}`"),
                )
            })?;
            diff_ids.push(digest);
        }
        let mut cfg = ImageConfig {
            os: typed.os().to_string(),
            architecture: typed.architecture().to_string(),
            variant: typed.variant().clone(),
            diff_ids,
            healthcheck: extras.healthcheck,
            onbuild: extras.on_build.unwrap_or_default(),
            shell: extras.shell.unwrap_or_default(),
            ..ImageConfig::default()
        };
        if let Some(c) = typed.config() {
            cfg.user = c.user().clone().unwrap_or_default();
            cfg.env = c
                .env()
                .iter()
                .flatten()
                .map(|kv| match kv.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (kv.clone(), String::new()),
                })
                .collect();
            cfg.entrypoint = c.entrypoint().clone().unwrap_or_default();
            cfg.cmd = c.cmd().clone().unwrap_or_default();
            cfg.working_dir = c.working_dir().clone().unwrap_or_default();
            cfg.exposed_ports = c.exposed_ports().clone().unwrap_or_default();
            cfg.volumes = c.volumes().clone().unwrap_or_default();
            let mut labels: Vec<(String, String)> = c
                .labels()
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            labels.sort();
            cfg.labels = labels;
        }
        cfg.exposed_ports.sort();
        cfg.volumes.sort();
        cfg.history = typed
            .history()
            .iter()
            .flatten()
            .map(|h| History {
                created_by: h.created_by().clone().unwrap_or_default(),
                comment: h.comment().clone().unwrap_or_default(),
                empty_layer: h.empty_layer().unwrap_or(false),
            })
            .collect();
        Ok(cfg)
    }

    /// `os/arch[/variant]`.
    pub fn platform(&self) -> String {
        match &self.variant {
            Some(v) if !v.is_empty() => format!("{}/{}/{v}", self.os, self.architecture),
            _ => format!("{}/{}", self.os, self.architecture),
        }
    }

    /// The history entry that created each layer (`None` when the history
    /// does not line up with the layers).
    pub fn layer_history(&self) -> Vec<Option<usize>> {
        let with_layer: Vec<usize> = self
            .history
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.empty_layer)
            .map(|(i, _)| i)
            .collect();
        if with_layer.len() == self.diff_ids.len() {
            with_layer.into_iter().map(Some).collect()
        } else {
            vec![None; self.diff_ids.len()]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"{
      "architecture": "arm64", "variant": "v8", "os": "linux",
      "config": {
        "User": "app", "Env": ["PATH=/bin", "EMPTY"],
        "Cmd": ["/app"], "ExposedPorts": {"22/tcp": {}},
        "Healthcheck": {"Test": ["CMD-SHELL", "curl -f localhost"], "Interval": 30000000000},
        "OnBuild": ["RUN x"], "Shell": ["/bin/bash", "-c"],
        "Volumes": {"/data": {}}
      },
      "rootfs": {"type": "layers", "diff_ids": [
        "sha256:1111111111111111111111111111111111111111111111111111111111111111"]},
      "history": [
        {"created_by": "ENV A=b", "empty_layer": true},
        {"created_by": "COPY x /"}
      ]
    }"#;

    #[test]
    fn reads_typed_and_docker_fields() {
        let c = ImageConfig::parse(CONFIG.as_bytes(), "config").unwrap();
        assert_eq!(c.platform(), "linux/arm64/v8");
        assert_eq!(c.user, "app");
        assert_eq!(c.env[1], ("EMPTY".to_string(), String::new()));
        assert_eq!(c.exposed_ports, ["22/tcp"]);
        assert_eq!(c.volumes, ["/data"]);
        assert_eq!(c.healthcheck.as_ref().unwrap().test[0], "CMD-SHELL");
        assert_eq!(c.onbuild, ["RUN x"]);
        assert_eq!(c.shell, ["/bin/bash", "-c"]);
        assert_eq!(c.layer_history(), [Some(1)]);
    }

    #[test]
    fn reads_history_instructions() {
        let p = parse_created_by("/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter2");
        assert_eq!(
            (p.keyword.as_str(), p.text.as_str()),
            ("ENV", "DB_PASSWORD=hunter2")
        );
        let p = parse_created_by("/bin/sh -c apt-get update");
        assert_eq!(
            (p.keyword.as_str(), p.text.as_str()),
            ("RUN", "apt-get update")
        );
        let p = parse_created_by("RUN |2 TOKEN=abc X=1 /bin/sh -c make # buildkit");
        assert_eq!((p.keyword.as_str(), p.text.as_str()), ("RUN", "make"));
        assert_eq!(
            p.build_args,
            vec![("TOKEN".into(), "abc".into()), ("X".into(), "1".into())]
        );
        let p = parse_created_by("|1 A=b /bin/sh -c echo hi");
        assert_eq!((p.keyword.as_str(), p.text.as_str()), ("RUN", "echo hi"));
        let p = parse_created_by("COPY app /app # buildkit");
        assert_eq!((p.keyword.as_str(), p.text.as_str()), ("COPY", "app /app"));
        let p = parse_created_by("ADD rootfs.tar /");
        assert_eq!(p.keyword, "ADD");
    }

    #[test]
    fn rejects_bad_json_with_the_blob_name() {
        let e = ImageConfig::parse(b"{", "config sha256:abc").unwrap_err();
        assert!(e.to_string().starts_with("config sha256:abc"), "{e}");
    }
}
