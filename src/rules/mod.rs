//! The rule engine: a registry of rules, the context they run in, and the
//! findings they report.
//!
//! A rule implements the narrowest hook that works: [`Rule::check_instruction`]
//! for the instruction kinds it asks for (`ONBUILD` bodies included),
//! [`Rule::check_stage`] for one stage with its resolved scope, or
//! [`Rule::check_build`] with the whole stage graph. Rules never see
//! suppression: pragmas are applied afterwards ([`crate::suppress`]).

mod context;
mod dockerfile;
mod meta;
mod registry;
mod selection;
#[cfg(test)]
pub(crate) mod test;

pub use context::{Context, FindingBuilder};
pub use meta::{Category, FixAvailability, Meta, Severity, Target};
pub use registry::{all, by_selector, index_of};
pub use selection::{RuleOptions, Selection, SelectionError};

use crate::fix::Fix;
use crate::graph::{Build, Stage};
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// One problem a rule found.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Meta,
    /// The severity after configuration overrides.
    pub severity: Severity,
    /// The smallest thing to change.
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    /// Related places, each with a short label.
    pub labels: Vec<(Span, String)>,
    pub fix: Option<Fix>,
    /// What in an image the finding is about (image checks only).
    pub subject: Option<Subject>,
}

/// What in an image a finding is about: a layer, a path in the image
/// filesystem, a history entry or a config field.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Subject {
    /// Layer index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<usize>,
    /// Absolute path in the image filesystem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Index into the config's `history`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<usize>,
    /// A config field such as `User` or `Env`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<&'static str>,
}

impl Subject {
    /// `layer 1, /usr/bin/x, config Env`, or empty.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(l) = self.layer {
            parts.push(format!("layer {l}"));
        }
        if let Some(p) = &self.path {
            parts.push(format!("`{p}`"));
        }
        if let Some(c) = self.config {
            parts.push(format!("config `{c}`"));
        }
        if parts.is_empty()
            && let Some(h) = self.history
        {
            parts.push(format!("history entry {h}"));
        }
        parts.join(", ")
    }
}

/// A lint rule.
pub trait Rule: Sync {
    fn meta(&self) -> &'static Meta;

    /// The instruction kinds [`Rule::check_instruction`] wants; empty: none.
    fn kinds(&self) -> &'static [Kind] {
        &[]
    }

    /// Called for every instruction of the kinds asked for, `ONBUILD`
    /// bodies included.
    fn check_instruction(&self, _cx: &mut Context<'_>, _ins: &Instruction) {}

    /// Called once per stage.
    fn check_stage(&self, _cx: &mut Context<'_>, _stage: &Stage) {}

    /// Called once per file, with the whole build model.
    fn check_build(&self, _cx: &mut Context<'_>, _build: &Build) {}
}

/// Runs the enabled rules over one file.
pub fn run(cx_base: &context::Shared<'_>, selection: &Selection) -> Vec<Finding> {
    let mut findings = Vec::new();
    let rules: Vec<(usize, &'static dyn Rule)> = all()
        .iter()
        .enumerate()
        .filter(|(i, r)| selection.is_enabled(*i) && r.meta().target == Target::Dockerfile)
        .map(|(i, r)| (i, *r))
        .collect();
    let df = cx_base.df;
    for (ri, rule) in &rules {
        let mut cx = Context::new(cx_base, rule.meta(), selection.severity(*ri), &mut findings);
        let kinds = rule.kinds();
        if !kinds.is_empty() {
            for (i, ins) in df.instructions.iter().enumerate() {
                cx.set_instruction(Some(i));
                if kinds.contains(&ins.kind) {
                    rule.check_instruction(&mut cx, ins);
                }
                if let Some(inner) = ins.onbuild_body()
                    && kinds.contains(&inner.kind)
                {
                    cx.set_onbuild(true);
                    rule.check_instruction(&mut cx, inner);
                    cx.set_onbuild(false);
                }
            }
            cx.set_instruction(None);
        }
        for stage in &cx_base.build.stages {
            rule.check_stage(&mut cx, stage);
        }
        rule.check_build(&mut cx, cx_base.build);
    }
    findings.sort_by(|a, b| {
        (a.span.start, a.span.end, a.rule.code).cmp(&(b.span.start, b.span.end, b.rule.code))
    });
    findings
        .dedup_by(|a, b| a.span == b.span && a.rule.code == b.rule.code && a.message == b.message);
    findings
}

pub use context::Shared;
