//! The environment variables hadolint reads, read the same way, so CI set
//! up for hadolint (hadolint-action passes its inputs this way) works
//! unchanged; and `IMGLINT_CONFIG`.

use super::hadolint::hadolint_code;
use super::{Layer, Origin, Selector, parse_format, parse_label_type, parse_threshold};
use crate::rules::Severity;

/// The configuration file to use instead of discovering one (as `--config`).
pub const ENV_CONFIG: &str = "IMGLINT_CONFIG";

/// What the environment sets.
#[derive(Debug, Default)]
pub struct Environment {
    pub layer: Layer,
    /// The variables that were set, in the order read.
    pub used: Vec<&'static str>,
    /// Codes that name no rule (`NAME: message`).
    pub warnings: Vec<String>,
}

/// hadolint's truthy values; anything else (set) is false.
fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "1" | "y" | "yes" | "on" | "true"
    )
}

fn list(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Reads the `HADOLINT_*` variables through `get` (the process environment
/// in the binary, a map in tests). Values that cannot be understood are
/// errors naming the variable.
pub fn from_environment(get: &dyn Fn(&str) -> Option<String>) -> Result<Environment, String> {
    let mut env = Environment {
        layer: Layer {
            origin: Origin::Environment,
            ..Layer::default()
        },
        ..Environment::default()
    };
    let read = |name: &'static str, used: &mut Vec<&'static str>| {
        let v = get(name);
        if v.is_some() {
            used.push(name);
        }
        v
    };
    let mut used = Vec::new();
    let mut warnings = Vec::new();
    let codes = |name: &'static str, v: &str, warnings: &mut Vec<String>| -> Vec<Selector> {
        list(v)
            .filter_map(|c| match hadolint_code(c) {
                Ok(s) => s,
                Err(w) => {
                    warnings.push(format!("{name}: {w}"));
                    None
                }
            })
            .collect()
    };
    let layer = &mut env.layer;
    if let Some(v) = read("HADOLINT_NOFAIL", &mut used) {
        layer.no_fail = Some(truthy(&v));
    }
    if let Some(v) = read("HADOLINT_VERBOSE", &mut used) {
        layer.verbose = Some(truthy(&v));
    }
    if let Some(v) = read("HADOLINT_FORMAT", &mut used)
        && !v.trim().is_empty()
    {
        layer.format = Some(parse_format(&v).map_err(|e| format!("HADOLINT_FORMAT: {e}"))?);
    }
    if let Some(v) = read("HADOLINT_FAILURE_THRESHOLD", &mut used)
        && !v.trim().is_empty()
    {
        layer.failure_threshold = Some(parse_threshold(&v).ok_or_else(|| {
            format!(
                "HADOLINT_FAILURE_THRESHOLD: unknown failure threshold `{v}` (expected error, warning, info, style, ignore or none)"
            )
        })?);
    }
    for (name, sev) in [
        ("HADOLINT_OVERRIDE_ERROR", Severity::Error),
        ("HADOLINT_OVERRIDE_WARNING", Severity::Warning),
        ("HADOLINT_OVERRIDE_INFO", Severity::Info),
        ("HADOLINT_OVERRIDE_STYLE", Severity::Style),
    ] {
        if let Some(v) = read(name, &mut used) {
            for s in codes(name, &v, &mut warnings) {
                layer.severity.push((s, sev));
            }
        }
    }
    if let Some(v) = read("HADOLINT_IGNORE", &mut used) {
        layer.ignore = codes("HADOLINT_IGNORE", &v, &mut warnings);
    }
    if let Some(v) = read("HADOLINT_STRICT_LABELS", &mut used) {
        layer.strict_labels = Some(truthy(&v));
    }
    if let Some(v) = read("HADOLINT_DISABLE_IGNORE_PRAGMA", &mut used) {
        layer.disable_ignore_pragma = Some(truthy(&v));
    }
    // the second name is what earlier hadolint versions read
    for name in ["HADOLINT_TRUSTED_REGISTRIES", "HADOLINT_ALLOWED_REGISTRIES"] {
        if let Some(v) = read(name, &mut used) {
            for r in list(&v) {
                if !layer.trusted_registries.iter().any(|x| x == r) {
                    layer.trusted_registries.push(r.to_string());
                }
            }
        }
    }
    if let Some(v) = read("HADOLINT_REQUIRE_LABELS", &mut used) {
        for item in list(&v) {
            let (label, ty) = item.rsplit_once(':').unwrap_or((item, "text"));
            let Some(t) = parse_label_type(ty) else {
                return Err(format!(
                    "HADOLINT_REQUIRE_LABELS: `{item}` is not LABEL:TYPE with TYPE one of {}",
                    super::LABEL_TYPES.join(", ")
                ));
            };
            if label.trim().is_empty() {
                return Err(format!(
                    "HADOLINT_REQUIRE_LABELS: `{item}` has no label name"
                ));
            }
            layer
                .label_schema
                .push((label.trim().to_string(), t.to_string()));
        }
    }
    env.used = used;
    env.warnings = warnings;
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Format;
    use std::collections::HashMap;

    fn read(vars: &[(&str, &str)]) -> Result<Environment, String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        from_environment(&|k| map.get(k).cloned())
    }

    #[test]
    fn nothing_set_sets_nothing() {
        let e = read(&[]).unwrap();
        assert!(e.used.is_empty());
        assert_eq!(e.layer.no_fail, None);
        assert!(e.layer.ignore.is_empty());
    }

    #[test]
    fn reads_every_variable() {
        let e = read(&[
            ("HADOLINT_NOFAIL", "1"),
            ("HADOLINT_VERBOSE", "no"),
            ("HADOLINT_FORMAT", "sarif"),
            ("HADOLINT_FAILURE_THRESHOLD", "error"),
            ("HADOLINT_OVERRIDE_ERROR", "DL3007"),
            ("HADOLINT_OVERRIDE_STYLE", "DL3008, apt-get-without-yes"),
            ("HADOLINT_IGNORE", "DL3002,SC2086"),
            ("HADOLINT_STRICT_LABELS", "true"),
            ("HADOLINT_DISABLE_IGNORE_PRAGMA", "On"),
            ("HADOLINT_TRUSTED_REGISTRIES", "docker.io,ghcr.io"),
            ("HADOLINT_ALLOWED_REGISTRIES", "ghcr.io,quay.io"),
            ("HADOLINT_REQUIRE_LABELS", "maintainer:email,version:semver"),
        ])
        .unwrap();
        let l = &e.layer;
        assert_eq!(e.used.len(), 12);
        assert!(e.warnings.is_empty(), "{:?}", e.warnings);
        assert_eq!(l.no_fail, Some(true));
        assert_eq!(l.verbose, Some(false));
        assert_eq!(l.format, Some(Format::Sarif));
        assert_eq!(l.failure_threshold, Some(Severity::Error));
        assert_eq!(l.severity.len(), 3);
        assert_eq!(l.ignore.len(), 1);
        assert_eq!(l.strict_labels, Some(true));
        assert_eq!(l.disable_ignore_pragma, Some(true));
        assert_eq!(l.trusted_registries, ["docker.io", "ghcr.io", "quay.io"]);
        assert_eq!(l.label_schema.len(), 2);
    }

    #[test]
    fn set_but_not_truthy_is_false() {
        let e = read(&[("HADOLINT_NOFAIL", "false"), ("HADOLINT_STRICT_LABELS", "")]).unwrap();
        assert_eq!(e.layer.no_fail, Some(false));
        assert_eq!(e.layer.strict_labels, Some(false));
    }

    #[test]
    fn unknown_codes_warn_and_bad_values_are_errors() {
        let e = read(&[("HADOLINT_IGNORE", "DL9999")]).unwrap();
        assert_eq!(e.warnings.len(), 1);
        assert!(e.warnings[0].starts_with("HADOLINT_IGNORE: `DL9999`"));
        let err = read(&[("HADOLINT_FORMAT", "checkstyle")]).unwrap_err();
        assert!(
            err.starts_with("HADOLINT_FORMAT: imglint has no `checkstyle` format"),
            "{err}"
        );
        let err = read(&[("HADOLINT_FAILURE_THRESHOLD", "high")]).unwrap_err();
        assert!(err.contains("unknown failure threshold `high`"), "{err}");
        let err = read(&[("HADOLINT_REQUIRE_LABELS", "a:person")]).unwrap_err();
        assert!(err.contains("`a:person` is not LABEL:TYPE"), "{err}");
        // empty values of valued variables are unset, as hadolint-action passes them
        let e = read(&[("HADOLINT_FORMAT", ""), ("HADOLINT_FAILURE_THRESHOLD", "")]).unwrap();
        assert_eq!(e.layer.format, None);
        assert_eq!(e.layer.failure_threshold, None);
    }
}
