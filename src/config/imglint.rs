//! `.imglint.toml`: keys in kebab-case; unknown keys, unknown rules and
//! values of the wrong type are errors with the file, line and column.

use super::{
    Layer, Origin, PerFileIgnore, Selector, error_at, parse_format, parse_label_type,
    parse_threshold, rule_name,
};
use crate::lint::InputError;
use crate::rules::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    extend: Option<Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
    extend_select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    failure_threshold: Option<Spanned<String>>,
    no_fail: Option<bool>,
    format: Option<Spanned<String>>,
    trusted_registries: Option<Vec<String>>,
    label_schema: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    strict_labels: Option<bool>,
    disable_ignore_pragma: Option<bool>,
    per_file_ignores: Option<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>,
    rules: Option<BTreeMap<Spanned<String>, toml::Table>>,
    build_args: Option<BTreeMap<String, String>>,
    target: Option<String>,
    platform: Option<String>,
}

/// An `.imglint.toml` read into a layer.
#[derive(Debug)]
pub struct Parsed {
    pub layer: Layer,
    /// The file named by `extend`, resolved against the file's directory.
    pub extend: Option<PathBuf>,
}

/// Parses the text of an `.imglint.toml`. `display` names the file in
/// errors; `dir` is its directory (absolute), which `extend` and the
/// `per-file-ignores` globs are relative to.
pub fn parse_toml(display: &Path, dir: &Path, text: &str) -> Result<Parsed, InputError> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        error_at(
            display,
            text,
            offset,
            "imglint::config::invalid",
            first_line(e.message()),
            None,
        )
    })?;
    let err = |span: std::ops::Range<usize>, message: String, help: Option<String>| {
        error_at(
            display,
            text,
            span.start,
            "imglint::config::invalid",
            message,
            help,
        )
    };
    let selector = |s: &Spanned<String>| {
        Selector::parse(s.get_ref()).map_err(|e| err(s.span(), e.to_string(), None))
    };
    let selectors = |list: &Option<Vec<Spanned<String>>>| -> Result<Vec<Selector>, InputError> {
        list.iter().flatten().map(selector).collect()
    };

    let mut layer = Layer {
        origin: Origin::File(display.to_path_buf()),
        ..Layer::default()
    };
    if raw.select.is_some() {
        layer.select = Some(selectors(&raw.select)?);
    }
    layer.extend_select = selectors(&raw.extend_select)?;
    layer.ignore = selectors(&raw.ignore)?;
    for (key, value) in raw.severity.iter().flatten() {
        let sel = selector(key)?;
        let sev: Severity = value.get_ref().parse().map_err(|e: String| {
            err(
                value.span(),
                e,
                Some("to turn a rule off, list it in `ignore`".to_string()),
            )
        })?;
        layer.severity.push((sel, sev));
    }
    if let Some(t) = &raw.failure_threshold {
        layer.failure_threshold = Some(parse_threshold(t.get_ref()).ok_or_else(|| {
            err(
                t.span(),
                format!(
                    "unknown failure threshold `{}` (expected error, warning, info, style or none)",
                    t.get_ref()
                ),
                None,
            )
        })?);
    }
    layer.no_fail = raw.no_fail;
    if let Some(f) = &raw.format {
        layer.format = Some(parse_format(f.get_ref()).map_err(|e| err(f.span(), e, None))?);
    }
    layer.trusted_registries = raw.trusted_registries.unwrap_or_default();
    for (label, ty) in raw.label_schema.iter().flatten() {
        let Some(t) = parse_label_type(ty.get_ref()) else {
            return Err(err(
                ty.span(),
                format!(
                    "unknown label type `{}` (expected {})",
                    ty.get_ref(),
                    super::LABEL_TYPES.join(", ")
                ),
                None,
            ));
        };
        if label.get_ref().trim().is_empty() {
            return Err(err(label.span(), "empty label name".to_string(), None));
        }
        layer
            .label_schema
            .push((label.get_ref().trim().to_string(), t.to_string()));
    }
    layer.strict_labels = raw.strict_labels;
    layer.disable_ignore_pragma = raw.disable_ignore_pragma;
    for (glob, rules) in raw.per_file_ignores.iter().flatten() {
        let rules = rules.iter().map(selector).collect::<Result<Vec<_>, _>>()?;
        let pfi = PerFileIgnore::new(glob.get_ref(), dir, rules)
            .map_err(|e| err(glob.span(), e, None))?;
        layer.per_file_ignores.push(pfi);
    }
    let mut seen: BTreeMap<&'static str, &Spanned<String>> = BTreeMap::new();
    for (key, table) in raw.rules.iter().flatten() {
        let Some(name) = rule_name(key.get_ref()) else {
            let message = match Selector::parse(key.get_ref()) {
                Ok(_) => format!(
                    "`{}` names several rules; options belong to one rule (its code, name or alias)",
                    key.get_ref()
                ),
                Err(e) => e.to_string(),
            };
            return Err(err(key.span(), message, None));
        };
        if let Some(first) = seen.insert(name, key) {
            return Err(err(
                key.span(),
                format!(
                    "`{}` is `{name}`, already configured as `[rules.{}]`",
                    key.get_ref(),
                    first.get_ref()
                ),
                None,
            ));
        }
        let map = table
            .iter()
            .map(|(k, v)| (k.clone(), to_json(v)))
            .collect::<serde_json::Map<_, _>>();
        layer.rule_options.insert(name.to_string(), map);
    }
    layer.build_args = raw.build_args.unwrap_or_default().into_iter().collect();
    layer.target = raw.target;
    layer.platform = raw.platform;
    let extend = raw.extend.map(|e| dir.join(e.into_inner()));
    Ok(Parsed { layer, extend })
}

/// The first line of a parser message (the rest repeats the source).
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

/// A TOML value as JSON (dates become their TOML text).
fn to_json(v: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect::<serde_json::Map<_, _>>(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::resolve;
    use crate::report::Format;

    fn parse(text: &str) -> Result<Parsed, InputError> {
        parse_toml(Path::new(".imglint.toml"), Path::new("/repo"), text)
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
    fn reads_every_key() {
        let p = parse(
            r#"
extend = "../base.toml"
select = ["ALL"]
extend-select = ["DL3008"]
ignore = ["security", "image-tagged-latest"]
failure-threshold = "warning"
no-fail = true
format = "json"
trusted-registries = ["docker.io", "*.gcr.io"]
strict-labels = true
disable-ignore-pragma = true
target = "final"
platform = "linux/arm64"

[severity]
DL3008 = "error"
"apt-get-without-yes" = "style"

[label-schema]
maintainer = "email"
"org.opencontainers.image.version" = "semver"

[per-file-ignores]
"legacy/**" = ["DL3008", "apt-get-without-yes"]

[rules.DL3026]
allow-digests = true
depth = { max = 3 }

[build-args]
VERSION = "1.2"
"#,
        )
        .unwrap();
        let l = &p.layer;
        assert_eq!(p.extend, Some(PathBuf::from("/repo/../base.toml")));
        assert_eq!(l.select.as_ref().unwrap()[0].as_str(), "ALL");
        assert_eq!(l.extend_select[0].as_str(), "DL3008");
        assert_eq!(l.ignore.len(), 2);
        assert_eq!(l.failure_threshold, Some(Severity::Warning));
        assert_eq!(l.no_fail, Some(true));
        assert_eq!(l.format, Some(Format::Json));
        assert_eq!(l.trusted_registries, ["docker.io", "*.gcr.io"]);
        assert_eq!(l.strict_labels, Some(true));
        assert_eq!(l.disable_ignore_pragma, Some(true));
        assert_eq!(l.severity.len(), 2);
        assert_eq!(l.label_schema.len(), 2);
        assert_eq!(l.per_file_ignores[0].pattern, "legacy/**");
        assert_eq!(l.per_file_ignores[0].base, Path::new("/repo"));
        assert_eq!(
            l.rule_options["untrusted-registry"]["depth"],
            serde_json::json!({"max": 3})
        );
        assert_eq!(l.build_args, [("VERSION".to_string(), "1.2".to_string())]);
        assert_eq!(l.target.as_deref(), Some("final"));
        assert_eq!(l.platform.as_deref(), Some("linux/arm64"));
        let s = resolve(&[l], None);
        assert_eq!(
            s.lint.options.get("untrusted-registry", "allow-digests"),
            Some(&serde_json::json!(true))
        );
        assert_eq!(s.lint.build.target.as_deref(), Some("final"));
    }

    #[test]
    fn an_empty_file_sets_nothing() {
        let p = parse("# nothing yet\n").unwrap();
        assert!(p.layer.select.is_none());
        assert!(p.layer.ignore.is_empty());
    }

    #[test]
    fn unknown_keys_are_errors_at_the_key() {
        let e = error("select = [\"DL3008\"]\nselct = []\n");
        assert!(e.starts_with("2:1: unknown field `selct`"), "{e}");
        let e = error("[severity]\nDL3008 = \"error\"\n[severty]\n");
        assert!(e.starts_with("3:2: unknown field `severty`"), "{e}");
    }

    #[test]
    fn wrong_types_are_errors_at_the_value() {
        let e = error("no-fail = \"yes\"\n");
        assert!(
            e.starts_with("1:11: invalid type: string \"yes\", expected a boolean"),
            "{e}"
        );
        let e = error("ignore = \"DL3008\"\n");
        assert!(
            e.starts_with("1:10: invalid type: string \"DL3008\", expected a sequence"),
            "{e}"
        );
        let e = error("[build-args]\nA = 1\n");
        assert!(
            e.starts_with("2:5: invalid type: integer `1`, expected a string"),
            "{e}"
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = error("select = [\"DL3008\"\n");
        assert!(e.starts_with("1:"), "{e}");
        assert!(!e.contains('\n'), "{e}");
    }

    #[test]
    fn unknown_rules_are_errors_at_the_selector() {
        let e = error("ignore = [\"DL3008\", \"apt-get-unpined\"]\n");
        assert_eq!(
            e,
            "1:21: `apt-get-unpined` is not a rule code, name, alias or category (did you mean `apt-get-unpinned`?)"
        );
        let e = error("[severity]\nNOPE = \"error\"\n");
        assert!(e.starts_with("2:1: `NOPE` is not a rule"), "{e}");
        let e = error("[per-file-ignores]\n\"a/*\" = [\"SC2086\"]\n");
        assert!(e.starts_with("2:10: `SC2086` is not a rule"), "{e}");
        let e = error("[rules.nope]\nx = 1\n");
        assert!(e.starts_with("1:8: `nope` is not a rule"), "{e}");
        let e = error("[rules.security]\nx = 1\n");
        assert!(e.contains("names several rules"), "{e}");
        let e = error("[rules.DL3026]\nx = 1\n[rules.untrusted-registry]\ny = 2\n");
        assert!(
            e.starts_with("3:8: `untrusted-registry` is `untrusted-registry`"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_are_errors_at_the_value() {
        let e = error("[severity]\nDL3008 = \"fatal\"\n");
        assert!(e.starts_with("2:10: unknown severity `fatal`"), "{e}");
        let e = error("failure-threshold = \"high\"\n");
        assert!(
            e.starts_with("1:21: unknown failure threshold `high`"),
            "{e}"
        );
        let e = error("format = \"checkstyle\"\n");
        assert!(
            e.starts_with("1:10: imglint has no `checkstyle` format"),
            "{e}"
        );
        let e = error("[label-schema]\nmaintainer = \"person\"\n");
        assert!(e.starts_with("2:14: unknown label type `person`"), "{e}");
        let e = error("[per-file-ignores]\n\"a/[b\" = [\"DL3008\"]\n");
        assert!(e.starts_with("2:1: invalid glob `a/[b`"), "{e}");
    }

    #[test]
    fn rule_tables_accept_codes_names_and_aliases() {
        for key in ["DL3026", "untrusted-registry"] {
            let p = parse(&format!("[rules.{key}]\nx = 1\n")).unwrap();
            assert!(p.layer.rule_options.contains_key("untrusted-registry"));
        }
    }
}
