//! Image references: `[registry/]repository[:tag][@digest]`, normalised the
//! way Docker normalises them (Docker Hub by default, `library/` for
//! official images).

use std::fmt;

/// A parsed image reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// The reference as written (after variable expansion).
    pub original: String,
    /// The registry host as written, `None` for Docker Hub.
    pub registry: Option<String>,
    /// The repository path as written, without registry (`golang`,
    /// `library/golang`, `distroless/static-debian12`).
    pub repository: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Why a reference is not valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefError(pub String);

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ImageRef {
    /// Parses a reference; `scratch` is a valid reference too (callers treat
    /// it specially).
    pub fn parse(text: &str) -> Result<ImageRef, RefError> {
        if text.is_empty() {
            return Err(RefError("the image name is empty".into()));
        }
        if text.chars().any(|c| c.is_whitespace()) {
            return Err(RefError(format!("invalid reference format: {text:?}")));
        }
        let (rest, digest) = match text.split_once('@') {
            Some((r, d)) => {
                if !is_valid_digest(d) {
                    return Err(RefError(format!("invalid digest {d:?}")));
                }
                (r, Some(d.to_string()))
            }
            None => (text, None),
        };
        // a tag is after the last ':' that follows the last '/'
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => {
                let at = last_slash + i;
                (&rest[..at], Some(rest[at + 1..].to_string()))
            }
            None => (rest, None),
        };
        if let Some(tag) = &tag
            && !is_valid_tag(tag)
        {
            return Err(RefError(format!("invalid tag {tag:?}")));
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                if !is_valid_host(first) {
                    return Err(RefError(format!("invalid registry {first:?}")));
                }
                (Some(first.to_string()), path.to_string())
            }
            _ => (None, name.to_string()),
        };
        if repository.is_empty() || !repository.split('/').all(is_valid_path_component) {
            return Err(RefError(format!("invalid reference format: {text:?}")));
        }
        Ok(ImageRef {
            original: text.to_string(),
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The registry host Docker would contact.
    pub fn registry_host(&self) -> &str {
        self.registry.as_deref().unwrap_or("docker.io")
    }

    /// The repository path with `library/` for Docker Hub official images.
    pub fn full_repository(&self) -> String {
        if self.registry.is_none() && !self.repository.contains('/') {
            format!("library/{}", self.repository)
        } else {
            self.repository.clone()
        }
    }

    /// The repository as people name it: `golang`, `gcr.io/distroless/static`.
    pub fn name(&self) -> String {
        let repo = self
            .repository
            .strip_prefix("library/")
            .filter(|_| self.registry.is_none() || self.registry_host() == "docker.io")
            .unwrap_or(&self.repository);
        match &self.registry {
            Some(r) if r != "docker.io" && r != "index.docker.io" => format!("{r}/{repo}"),
            _ => repo.to_string(),
        }
    }

    /// The last path component (`static-debian12` for
    /// `gcr.io/distroless/static-debian12`).
    pub fn basename(&self) -> &str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(&self.repository)
    }

    /// Whether neither a tag nor a digest is given.
    pub fn is_untagged(&self) -> bool {
        self.tag.is_none() && self.digest.is_none()
    }

    pub fn is_scratch(&self) -> bool {
        self.registry.is_none() && self.repository.eq_ignore_ascii_case("scratch")
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

fn is_valid_path_component(c: &str) -> bool {
    !c.is_empty()
        && c.chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_alphanumeric())
        && c.chars()
            .last()
            .is_some_and(|ch| ch.is_ascii_alphanumeric())
        && c.chars().all(|ch| {
            ch.is_ascii_lowercase() || ch.is_ascii_digit() || matches!(ch, '.' | '_' | '-')
        })
}

fn is_valid_host(host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (host, None),
    };
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

fn is_valid_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 128
        && tag
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn is_valid_digest(d: &str) -> bool {
    match d.split_once(':') {
        Some((alg, hex)) => {
            !alg.is_empty()
                && alg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '_' | '-'))
                && hex.len() >= 32
                && hex.chars().all(|c| c.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_official_and_user_images() {
        let r = ImageRef::parse("golang:1.22-alpine").unwrap();
        assert_eq!(r.registry, None);
        assert_eq!(r.repository, "golang");
        assert_eq!(r.tag.as_deref(), Some("1.22-alpine"));
        assert_eq!(r.full_repository(), "library/golang");
        assert_eq!(r.name(), "golang");
        let r = ImageRef::parse("bitnami/redis").unwrap();
        assert!(r.is_untagged());
        assert_eq!(r.full_repository(), "bitnami/redis");
    }

    #[test]
    fn registries_ports_and_digests() {
        let r = ImageRef::parse("localhost:5000/team/app:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag.as_deref(), Some("v1"));
        assert!(r.digest.is_some());
        let r = ImageRef::parse("gcr.io/distroless/static-debian12:nonroot").unwrap();
        assert_eq!(r.name(), "gcr.io/distroless/static-debian12");
        assert_eq!(r.basename(), "static-debian12");
        let r = ImageRef::parse("docker.io/library/alpine").unwrap();
        assert_eq!(r.name(), "alpine");
    }

    #[test]
    fn invalid_references() {
        for bad in [
            "",
            "Alpine",
            "alpine:",
            "a b",
            "alpine@sha256:xyz",
            "-a",
            "a:b:c/d",
        ] {
            assert!(ImageRef::parse(bad).is_err(), "{bad}");
        }
    }
}
