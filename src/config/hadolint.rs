//! `.hadolint.yaml` / `.hadolint.yml`, read as hadolint reads it, so a
//! hadolint user's file works unchanged. Invalid YAML and values of the
//! wrong type are errors with the file, line and column. Keys hadolint does
//! not know and codes imglint does not know are warnings, not errors
//! (hadolint accepts both); ShellCheck codes (`SC…`) and the codes hadolint
//! retired are dropped silently, as imglint does not run ShellCheck.

use super::yaml::{self, Kind, Node};
use super::{
    Layer, Origin, Selector, error_at_line, parse_format, parse_label_type, parse_threshold,
};
use crate::lint::InputError;
use crate::rules::Severity;
use std::path::Path;

/// The keys hadolint reads.
const KEYS: [&str; 11] = [
    "ignored",
    "override",
    "trustedRegistries",
    "label-schema",
    "strict-labels",
    "failure-threshold",
    "disable-ignore-pragma",
    "no-fail",
    "no-color",
    "format",
    "verbose",
];

/// DL codes hadolint no longer has.
const RETIRED: [&str; 4] = ["DL3005", "DL3017", "DL3031", "DL3039"];

/// Whether an unknown code is one imglint drops without a word: a
/// ShellCheck code or a retired hadolint code.
pub(crate) fn is_silently_dropped(code: &str) -> bool {
    let c = code.trim().to_ascii_uppercase();
    RETIRED.contains(&c.as_str())
        || c.strip_prefix("SC")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|d| d.is_ascii_digit()))
}

/// A hadolint rule code as a selector; `Err` carries a warning, `Ok(None)`
/// a code dropped silently.
pub(crate) fn hadolint_code(code: &str) -> Result<Option<Selector>, String> {
    match Selector::parse(code) {
        Ok(s) => Ok(Some(s)),
        Err(_) if is_silently_dropped(code) => Ok(None),
        Err(e) => Err(format!("{e}; it is ignored")),
    }
}

struct Reader<'a> {
    display: &'a Path,
    warnings: Vec<String>,
}

impl Reader<'_> {
    fn error(&self, node: &Node, message: String) -> InputError {
        error_at_line(
            self.display,
            node.line,
            node.column,
            "imglint::config::invalid",
            message,
            None,
        )
    }

    fn warn(&mut self, node: &Node, message: String) {
        self.warnings.push(format!(
            "{}:{}:{}: {message}",
            self.display.display(),
            node.line,
            node.column
        ));
    }

    fn string<'n>(&self, node: &'n Node, what: &str) -> Result<&'n str, InputError> {
        node.as_str().ok_or_else(|| {
            self.error(
                node,
                format!("{what} must be a string, not {}", node.describe()),
            )
        })
    }

    fn boolean(&self, node: &Node, key: &str) -> Result<Option<bool>, InputError> {
        if node.is_null() {
            return Ok(None);
        }
        node.as_bool().map(Some).ok_or_else(|| {
            self.error(
                node,
                format!("`{key}` must be true or false, not {}", node.describe()),
            )
        })
    }

    /// A list of strings (a single string counts as a list of one when
    /// `single` is allowed); null is an empty list.
    fn strings<'n>(
        &self,
        node: &'n Node,
        key: &str,
        single: bool,
    ) -> Result<Vec<&'n Node>, InputError> {
        match &node.kind {
            Kind::Seq(items) => {
                for i in items {
                    self.string(i, &format!("each item of `{key}`"))?;
                }
                Ok(items.iter().collect())
            }
            _ if node.is_null() => Ok(Vec::new()),
            Kind::Scalar { .. } if single && node.as_str().is_some() => Ok(vec![node]),
            _ => Err(self.error(
                node,
                format!("`{key}` must be a list, not {}", node.describe()),
            )),
        }
    }

    fn codes(&mut self, node: &Node, key: &str) -> Result<Vec<Selector>, InputError> {
        let mut out = Vec::new();
        for item in self.strings(node, key, false)? {
            let code = item.as_str().unwrap_or_default();
            match hadolint_code(code) {
                Ok(Some(s)) => out.push(s),
                Ok(None) => {}
                Err(w) => self.warn(item, w),
            }
        }
        Ok(out)
    }

    fn entries<'n>(&self, node: &'n Node, key: &str) -> Result<&'n [(Node, Node)], InputError> {
        match &node.kind {
            Kind::Map(e) => Ok(e),
            _ if node.is_null() => Ok(&[]),
            _ => Err(self.error(
                node,
                format!("`{key}` must be a mapping, not {}", node.describe()),
            )),
        }
    }

    fn key<'n>(&self, node: &'n Node) -> Result<&'n str, InputError> {
        match &node.kind {
            Kind::Scalar { value, .. } => Ok(value),
            _ => Err(self.error(
                node,
                format!("a key must be a string, not {}", node.describe()),
            )),
        }
    }
}

/// Parses the text of a `.hadolint.yaml`; returns the layer and warnings
/// (`path:line:col: message`).
pub fn parse_hadolint(display: &Path, text: &str) -> Result<(Layer, Vec<String>), InputError> {
    let doc = yaml::parse(text).map_err(|e| {
        error_at_line(
            display,
            e.line,
            e.column,
            "imglint::config::invalid",
            format!("invalid YAML: {}", e.message),
            None,
        )
    })?;
    let mut r = Reader {
        display,
        warnings: Vec::new(),
    };
    let mut layer = Layer {
        origin: Origin::File(display.to_path_buf()),
        ..Layer::default()
    };
    let Some(doc) = doc else {
        return Ok((layer, r.warnings));
    };
    let top = match &doc.kind {
        Kind::Map(e) => e.as_slice(),
        _ if doc.is_null() => &[],
        _ => {
            return Err(r.error(
                &doc,
                format!(
                    "the configuration must be a mapping of keys such as `ignored` and `override`, not {}",
                    doc.describe()
                ),
            ));
        }
    };
    for (k, v) in top {
        let key = r.key(k)?;
        match key {
            "ignored" => layer.ignore = r.codes(v, key)?,
            "override" => {
                for (lk, lv) in r.entries(v, key)? {
                    let level = r.key(lk)?;
                    let sev = match level {
                        "error" => Severity::Error,
                        "warning" => Severity::Warning,
                        "info" => Severity::Info,
                        "style" => Severity::Style,
                        other => {
                            r.warn(
                                lk,
                                format!(
                                    "unknown severity `{other}` in `override` (expected error, warning, info or style); it is ignored"
                                ),
                            );
                            continue;
                        }
                    };
                    for s in r.codes(lv, &format!("override.{level}"))? {
                        layer.severity.push((s, sev));
                    }
                }
            }
            "trustedRegistries" => {
                for item in r.strings(v, key, true)? {
                    let reg = item.as_str().unwrap_or_default().trim();
                    if !reg.is_empty() {
                        layer.trusted_registries.push(reg.to_string());
                    }
                }
            }
            "label-schema" => {
                for (lk, lv) in r.entries(v, key)? {
                    let label = r.key(lk)?;
                    let ty = r.string(lv, &format!("the type of label `{label}`"))?;
                    let Some(t) = parse_label_type(ty) else {
                        return Err(r.error(
                            lv,
                            format!(
                                "unknown label type `{ty}` (expected {})",
                                super::LABEL_TYPES.join(", ")
                            ),
                        ));
                    };
                    layer.label_schema.push((label.to_string(), t.to_string()));
                }
            }
            "strict-labels" => layer.strict_labels = r.boolean(v, key)?,
            "disable-ignore-pragma" => layer.disable_ignore_pragma = r.boolean(v, key)?,
            "no-fail" => layer.no_fail = r.boolean(v, key)?,
            "no-color" => layer.no_color = r.boolean(v, key)?,
            "verbose" => layer.verbose = r.boolean(v, key)?,
            "failure-threshold" => {
                if v.is_null() {
                    continue;
                }
                let t = r.string(v, "`failure-threshold`")?;
                layer.failure_threshold = Some(parse_threshold(t).ok_or_else(|| {
                    r.error(
                        v,
                        format!(
                            "unknown failure threshold `{t}` (expected error, warning, info, style, ignore or none)"
                        ),
                    )
                })?);
            }
            "format" => {
                if v.is_null() {
                    continue;
                }
                let f = r.string(v, "`format`")?;
                layer.format = Some(parse_format(f).map_err(|e| r.error(v, e))?);
            }
            other => {
                let hint = crate::suggest::closest(other, KEYS)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                r.warn(k, format!("unknown key `{other}`{hint}; it is ignored"));
            }
        }
    }
    Ok((layer, r.warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::resolve;
    use crate::report::Format;

    fn parse(text: &str) -> Result<(Layer, Vec<String>), InputError> {
        parse_hadolint(Path::new(".hadolint.yaml"), text)
    }

    fn error(text: &str) -> String {
        let e = parse(text).unwrap_err();
        format!(
            "{}:{}: {}",
            e.line.unwrap_or(0),
            e.column.unwrap_or(0),
            e.message
        )
    }

    #[test]
    fn reads_every_hadolint_key() {
        let (l, warnings) = parse(
            "ignored:
  - DL3008
  - SC2086
override:
  error:
    - DL3007
  style: [apt-get-without-yes]
trustedRegistries:
  - docker.io
  - \"*.gcr.io\"
label-schema:
  author: text
  version: semver
strict-labels: true
failure-threshold: warning
disable-ignore-pragma: true
no-fail: true
no-color: true
format: json
verbose: false
",
        )
        .unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(l.ignore.len(), 1);
        assert_eq!(l.ignore[0].as_str(), "DL3008");
        assert_eq!(l.severity.len(), 2);
        assert_eq!(l.severity[0].1, Severity::Error);
        assert_eq!(l.trusted_registries, ["docker.io", "*.gcr.io"]);
        assert_eq!(
            l.label_schema,
            [
                ("author".to_string(), "text".to_string()),
                ("version".to_string(), "semver".to_string())
            ]
        );
        assert_eq!(l.strict_labels, Some(true));
        assert_eq!(l.failure_threshold, Some(Severity::Warning));
        assert_eq!(l.disable_ignore_pragma, Some(true));
        assert_eq!(l.no_fail, Some(true));
        assert_eq!(l.no_color, Some(true));
        assert_eq!(l.format, Some(Format::Json));
        assert_eq!(l.verbose, Some(false));
        let s = resolve(&[&l], None);
        let i = crate::rules::index_of("DL3007").unwrap();
        assert_eq!(s.lint.selection.severity(i), Severity::Error);
    }

    #[test]
    fn a_single_registry_may_be_a_string_and_nulls_are_unset() {
        let (l, _) = parse("trustedRegistries: my.registry\nignored:\nno-fail: ~\n").unwrap();
        assert_eq!(l.trusted_registries, ["my.registry"]);
        assert!(l.ignore.is_empty());
        assert_eq!(l.no_fail, None);
    }

    #[test]
    fn empty_files_set_nothing() {
        assert!(parse("").unwrap().0.ignore.is_empty());
        assert!(parse("---\n").unwrap().0.ignore.is_empty());
    }

    #[test]
    fn unknown_keys_and_codes_are_warnings() {
        let (l, w) =
            parse("ignore:\n  - DL3008\nignored:\n  - DL9999\n  - DL3005\n  - SC1091\n").unwrap();
        assert!(l.ignore.is_empty());
        assert_eq!(
            w,
            [
                ".hadolint.yaml:1:1: unknown key `ignore` (did you mean `ignored`?); it is ignored",
                ".hadolint.yaml:4:5: `DL9999` is not a rule code, name, alias or category; it is ignored",
            ]
        );
    }

    #[test]
    fn wrong_types_are_errors_with_positions() {
        assert_eq!(
            error("no-fail: yes please\n"),
            "1:10: `no-fail` must be true or false, not a string"
        );
        assert_eq!(
            error("ignored: DL3008\n"),
            "1:10: `ignored` must be a list, not a string"
        );
        assert_eq!(
            error("ignored:\n  - [DL3008]\n"),
            "2:5: each item of `ignored` must be a string, not a list"
        );
        assert_eq!(
            error("override:\n  - error\n"),
            "2:3: `override` must be a mapping, not a list"
        );
        assert_eq!(
            error("label-schema:\n  author: person\n"),
            "2:11: unknown label type `person` (expected text, url, semver, hash, rfc3339, spdx, email)"
        );
        assert_eq!(
            error("failure-threshold: high\n"),
            "1:20: unknown failure threshold `high` (expected error, warning, info, style, ignore or none)"
        );
        assert_eq!(
            error("- DL3008\n"),
            "1:1: the configuration must be a mapping of keys such as `ignored` and `override`, not a list"
        );
        let e = error("format: checkstyle\n");
        assert!(
            e.starts_with("1:9: imglint has no `checkstyle` format"),
            "{e}"
        );
    }

    #[test]
    fn invalid_yaml_is_an_error_with_a_position() {
        let e = error("ignored:\n  - DL3008\n - DL3009\n");
        assert!(e.starts_with("3:"), "{e}");
        assert!(e.contains("invalid YAML"), "{e}");
    }

    #[test]
    fn drops_shellcheck_and_retired_codes() {
        assert!(is_silently_dropped("SC2086"));
        assert!(is_silently_dropped("dl3005"));
        assert!(!is_silently_dropped("SC"));
        assert!(!is_silently_dropped("DL9999"));
    }
}
