//! Which rules run, at which severity, with which options.

use super::{Category, Severity, all};
use std::collections::BTreeMap;
use std::fmt;

/// A selector that names no rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectionError {
    pub selector: String,
    pub suggestion: Option<String>,
}

impl fmt::Display for SelectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a rule code, name, alias or category",
            self.selector
        )?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

impl std::error::Error for SelectionError {}

/// The enabled rules and their severities, indexed like [`all`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    enabled: Vec<bool>,
    severity: Vec<Severity>,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            enabled: all().iter().map(|r| r.meta().default_enabled).collect(),
            severity: all().iter().map(|r| r.meta().severity).collect(),
        }
    }
}

impl Selection {
    /// Only the rules `selectors` name.
    pub fn only(selectors: &[String]) -> Result<Selection, SelectionError> {
        let mut s = Selection {
            enabled: vec![false; all().len()],
            ..Selection::default()
        };
        s.enable(selectors)?;
        Ok(s)
    }

    /// The selection command-line flags describe, applied in this order:
    /// `select` (or the defaults when empty), `extend_select`, the severity
    /// overrides, then `ignore`. Dockerfile and image commands share it.
    pub fn from_flags(
        select: &[String],
        extend_select: &[String],
        severities: &[(&[String], Severity)],
        ignore: &[String],
    ) -> Result<Selection, SelectionError> {
        let mut selection = if select.is_empty() {
            Selection::default()
        } else {
            Selection::only(select)?
        };
        selection.enable(extend_select)?;
        for (list, severity) in severities {
            selection.set_severity(list, *severity)?;
        }
        selection.disable(ignore)?;
        Ok(selection)
    }

    pub fn is_enabled(&self, index: usize) -> bool {
        self.enabled.get(index).copied().unwrap_or(false)
    }

    pub fn severity(&self, index: usize) -> Severity {
        self.severity
            .get(index)
            .copied()
            .unwrap_or(Severity::Warning)
    }

    /// Indices of the rules a selector names: a code, name or alias; a
    /// category; `ALL`; or a code prefix such as `DL30`.
    pub fn resolve(selector: &str) -> Result<Vec<usize>, SelectionError> {
        let sel = selector.trim();
        if sel.eq_ignore_ascii_case("all") {
            return Ok((0..all().len()).collect());
        }
        let exact: Vec<usize> = all()
            .iter()
            .enumerate()
            .filter(|(_, r)| r.meta().is_named(sel))
            .map(|(i, _)| i)
            .collect();
        if !exact.is_empty() {
            return Ok(exact);
        }
        if let Some(cat) = Category::ALL
            .iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(sel))
        {
            return Ok(all()
                .iter()
                .enumerate()
                .filter(|(_, r)| r.meta().category == *cat)
                .map(|(i, _)| i)
                .collect());
        }
        let upper = sel.to_ascii_uppercase();
        if upper.len() >= 2 && upper.chars().all(|c| c.is_ascii_alphanumeric()) {
            let prefixed: Vec<usize> = all()
                .iter()
                .enumerate()
                .filter(|(_, r)| r.meta().code.starts_with(&upper))
                .map(|(i, _)| i)
                .collect();
            if !prefixed.is_empty() {
                return Ok(prefixed);
            }
        }
        Err(SelectionError {
            selector: sel.to_string(),
            suggestion: suggest(sel),
        })
    }

    pub fn enable(&mut self, selectors: &[String]) -> Result<(), SelectionError> {
        for s in selectors {
            for i in Selection::resolve(s)? {
                self.enabled[i] = true;
            }
        }
        Ok(())
    }

    pub fn disable(&mut self, selectors: &[String]) -> Result<(), SelectionError> {
        for s in selectors {
            for i in Selection::resolve(s)? {
                self.enabled[i] = false;
            }
        }
        Ok(())
    }

    /// Sets the severity of the named rules (and enables them, as hadolint's
    /// overrides do for rules that are off by default).
    pub fn set_severity(
        &mut self,
        selectors: &[String],
        severity: Severity,
    ) -> Result<(), SelectionError> {
        for s in selectors {
            for i in Selection::resolve(s)? {
                self.severity[i] = severity;
                self.enabled[i] = true;
            }
        }
        Ok(())
    }

    /// Like [`Selection::disable`], ignoring selectors that name no rule
    /// (for other tools' codes in shared configuration, e.g. `SC2086`).
    pub fn disable_known(&mut self, selectors: &[String]) -> Vec<String> {
        let mut unknown = Vec::new();
        for s in selectors {
            match Selection::resolve(s) {
                Ok(idx) => idx.into_iter().for_each(|i| self.enabled[i] = false),
                Err(_) => unknown.push(s.clone()),
            }
        }
        unknown
    }
}

/// The closest rule name or code, for "did you mean".
fn suggest(sel: &str) -> Option<String> {
    let lower = sel.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for r in all() {
        let m = r.meta();
        for cand in std::iter::once(m.code)
            .chain(std::iter::once(m.name))
            .chain(m.aliases.iter().copied())
        {
            let d = crate::suggest::distance(&lower, &cand.to_ascii_lowercase());
            if d <= (cand.len() / 3).max(2) && best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, cand));
            }
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Options of individual rules.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleOptions {
    /// Registries images may come from (DL3026); empty: no restriction.
    pub trusted_registries: Vec<String>,
    /// Required labels and their types (DL3049–DL3058).
    pub label_schema: Vec<(String, String)>,
    /// Labels outside the schema are reported (DL3050).
    pub strict_labels: bool,
    /// Per-rule options from configuration, by rule name.
    pub per_rule: BTreeMap<String, serde_json::Value>,
}

impl RuleOptions {
    /// The option `key` of rule `rule`.
    pub fn get(&self, rule: &str, key: &str) -> Option<&serde_json::Value> {
        self.per_rule.get(rule).and_then(|v| v.get(key))
    }
}
