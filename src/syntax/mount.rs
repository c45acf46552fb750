//! `RUN --mount=…` options: comma-separated `key=value` fields (CSV quoting),
//! the way BuildKit reads them.

use super::tree::Flag;
use crate::source::Span;

/// The mount type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MountKind {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
    Other(String),
}

/// One `key[=value]` field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MountOption {
    /// Lower-cased key.
    pub key: String,
    pub value: Option<String>,
    pub span: Span,
}

/// A parsed `--mount` flag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    pub kind: MountKind,
    pub options: Vec<MountOption>,
    pub span: Span,
}

impl Mount {
    /// Parses the value of a `--mount` flag.
    pub fn from_flag(flag: &Flag) -> Mount {
        let value = flag.value_or_empty();
        let base = flag.value_span.unwrap_or(flag.span);
        let exact = base.len() == value.len();
        let mut options = Vec::new();
        for (start, end, field) in split_csv(value) {
            let span = if exact {
                Span::new(base.start + start as u32, base.start + end as u32)
            } else {
                base
            };
            let (key, val) = match field.split_once('=') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.to_string())),
                None => (field.trim().to_ascii_lowercase(), None),
            };
            if key.is_empty() {
                continue;
            }
            options.push(MountOption {
                key,
                value: val,
                span,
            });
        }
        let kind = match options
            .iter()
            .find(|o| o.key == "type")
            .and_then(|o| o.value.as_deref())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("bind") => MountKind::Bind,
            Some("cache") => MountKind::Cache,
            Some("tmpfs") => MountKind::Tmpfs,
            Some("secret") => MountKind::Secret,
            Some("ssh") => MountKind::Ssh,
            Some(other) => MountKind::Other(other.to_string()),
        };
        Mount {
            kind,
            options,
            span: flag.span,
        }
    }

    /// The first option named `key` (or one of its aliases).
    pub fn option(&self, keys: &[&str]) -> Option<&MountOption> {
        self.options.iter().find(|o| keys.contains(&o.key.as_str()))
    }

    fn value(&self, keys: &[&str]) -> Option<&str> {
        self.option(keys).and_then(|o| o.value.as_deref())
    }

    pub fn target(&self) -> Option<&str> {
        self.value(&["target", "dst", "destination"])
    }

    pub fn source(&self) -> Option<&str> {
        self.value(&["source", "src"])
    }

    pub fn from(&self) -> Option<&str> {
        self.value(&["from"])
    }

    pub fn id(&self) -> Option<&str> {
        self.value(&["id"])
    }

    /// A read-write bind mount or any cache/tmpfs mount: writes do not
    /// reach the layer.
    pub fn discards_writes(&self) -> bool {
        matches!(self.kind, MountKind::Cache | MountKind::Tmpfs)
    }
}

/// Splits a CSV record: `(start, end, field)` with quotes removed.
fn split_csv(value: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let b = value.as_bytes();
    let mut i = 0;
    loop {
        let start = i;
        let mut field = String::new();
        if b.get(i) == Some(&b'"') {
            i += 1;
            loop {
                match b.get(i) {
                    None => break,
                    Some(b'"') if b.get(i + 1) == Some(&b'"') => {
                        field.push('"');
                        i += 2;
                    }
                    Some(b'"') => {
                        i += 1;
                        break;
                    }
                    Some(_) => {
                        let ch = value[i..].chars().next().unwrap_or('\u{fffd}');
                        field.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
            // anything after the closing quote up to the comma
            let rest_end = value[i..].find(',').map_or(value.len(), |j| i + j);
            field.push_str(&value[i..rest_end]);
            i = rest_end;
        } else {
            let end = value[i..].find(',').map_or(value.len(), |j| i + j);
            field.push_str(&value[i..end]);
            i = end;
        }
        out.push((start, i, field));
        if i >= value.len() {
            break;
        }
        i += 1; // the comma
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flag(value: &str) -> Flag {
        let start = 8u32;
        Flag {
            span: Span::new(0, start + value.len() as u32),
            name: "mount".into(),
            name_span: Span::new(2, 7),
            value: Some(value.into()),
            value_span: Some(Span::new(start, start + value.len() as u32)),
        }
    }

    #[test]
    fn cache_mount_options() {
        let m = Mount::from_flag(&flag(
            "type=cache,target=/root/.cache/go-build,sharing=locked",
        ));
        assert_eq!(m.kind, MountKind::Cache);
        assert_eq!(m.target(), Some("/root/.cache/go-build"));
        assert_eq!(
            m.option(&["sharing"]).unwrap().value.as_deref(),
            Some("locked")
        );
        assert_eq!(m.options[1].span, Span::new(19, 47));
        assert!(m.discards_writes());
    }

    #[test]
    fn bind_is_the_default_and_keys_are_case_insensitive() {
        let m = Mount::from_flag(&flag("Target=/src,from=build,source=/out,rw"));
        assert_eq!(m.kind, MountKind::Bind);
        assert_eq!(m.target(), Some("/src"));
        assert_eq!(m.from(), Some("build"));
        assert!(m.option(&["rw"]).is_some());
    }

    #[test]
    fn quoted_fields() {
        let m = Mount::from_flag(&flag("type=secret,\"id=a,b\",env=TOKEN"));
        assert_eq!(m.kind, MountKind::Secret);
        assert_eq!(m.id(), Some("a,b"));
        assert_eq!(m.option(&["env"]).unwrap().value.as_deref(), Some("TOKEN"));
    }
}
