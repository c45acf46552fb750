//! What a rule sees while it runs, and how it reports.

use super::{Finding, Meta, RuleOptions, Severity};
use crate::fix::Fix;
use crate::graph::{Build, InstrState};
use crate::shell::{self, Script};
use crate::source::{SourceFile, Span};
use crate::syntax::{Dockerfile, Instruction};
use std::cell::OnceCell;

/// Data shared by all rules for one file.
pub struct Shared<'a> {
    pub file: &'a SourceFile,
    pub df: &'a Dockerfile,
    pub build: &'a Build,
    pub options: &'a RuleOptions,
    scripts: Vec<OnceCell<Vec<Script>>>,
}

impl<'a> Shared<'a> {
    pub fn new(
        file: &'a SourceFile,
        df: &'a Dockerfile,
        build: &'a Build,
        options: &'a RuleOptions,
    ) -> Self {
        Shared {
            file,
            df,
            build,
            options,
            scripts: (0..df.instructions.len())
                .map(|_| OnceCell::new())
                .collect(),
        }
    }

    /// The shell scripts of top-level instruction `index` (its `RUN` body,
    /// heredocs, or the `RUN` of an `ONBUILD`), parsed once.
    pub fn scripts(&self, index: usize) -> &[Script] {
        let Some(cell) = self.scripts.get(index) else {
            return &[];
        };
        cell.get_or_init(|| match self.df.instructions.get(index) {
            Some(ins) => shell::scripts(&self.file.text, ins, self.build.state(index)),
            None => Vec::new(),
        })
    }
}

/// The context of one rule's run.
pub struct Context<'a> {
    shared: &'a Shared<'a>,
    meta: &'static Meta,
    severity: Severity,
    findings: &'a mut Vec<Finding>,
    instruction: Option<usize>,
    in_onbuild: bool,
}

impl<'a> Context<'a> {
    pub(crate) fn new(
        shared: &'a Shared<'a>,
        meta: &'static Meta,
        severity: Severity,
        findings: &'a mut Vec<Finding>,
    ) -> Self {
        Context {
            shared,
            meta,
            severity,
            findings,
            instruction: None,
            in_onbuild: false,
        }
    }

    pub(crate) fn set_instruction(&mut self, i: Option<usize>) {
        self.instruction = i;
    }

    pub(crate) fn set_onbuild(&mut self, on: bool) {
        self.in_onbuild = on;
    }

    pub fn file(&self) -> &'a SourceFile {
        self.shared.file
    }

    /// The whole Dockerfile text.
    pub fn text(&self) -> &'a str {
        &self.shared.file.text
    }

    pub fn dockerfile(&self) -> &'a Dockerfile {
        self.shared.df
    }

    pub fn build(&self) -> &'a Build {
        self.shared.build
    }

    pub fn options(&self) -> &'a RuleOptions {
        self.shared.options
    }

    /// The top-level index of the instruction being checked.
    pub fn instruction_index(&self) -> Option<usize> {
        self.instruction
    }

    /// Whether the instruction being checked is the body of an `ONBUILD`
    /// (it runs in a child image's build, not this one).
    pub fn in_onbuild(&self) -> bool {
        self.in_onbuild
    }

    /// The state before the instruction being checked.
    pub fn state(&self) -> Option<&'a InstrState> {
        self.instruction.and_then(|i| self.shared.build.state(i))
    }

    /// The shell scripts of the instruction being checked.
    pub fn scripts(&self) -> &'a [Script] {
        match self.instruction {
            Some(i) => self.shared.scripts(i),
            None => &[],
        }
    }

    /// The shell scripts of top-level instruction `index`.
    pub fn scripts_of(&self, index: usize) -> &'a [Script] {
        self.shared.scripts(index)
    }

    /// The top-level instruction `index`.
    pub fn instruction(&self, index: usize) -> Option<&'a Instruction> {
        self.shared.df.instructions.get(index)
    }

    /// Expands `word` with the variables in force at the instruction being
    /// checked (or `index`), keeping unset references as written.
    pub fn expand_at(&self, index: usize, word: &str) -> String {
        self.shared.build.expand_keep_unset(index, word)
    }

    /// Whether the build context has a file at `relative` path. The context
    /// is not known for sure: the Dockerfile's directory and its parents up
    /// to the repository root are tried. `false` when the file is not on
    /// disk (standard input).
    pub fn context_has(&self, relative: &str) -> bool {
        let Ok(path) = std::fs::canonicalize(&self.shared.file.path) else {
            return false;
        };
        let mut dir = path.parent();
        for _ in 0..5 {
            let Some(d) = dir else { break };
            if d.join(relative).exists() {
                return true;
            }
            if d.join(".git").exists() {
                break;
            }
            dir = d.parent();
        }
        false
    }

    /// Reports a finding of the running rule at `span`.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> FindingBuilder<'_> {
        self.findings.push(Finding {
            rule: self.meta,
            severity: self.severity,
            span,
            message: message.into(),
            help: None,
            labels: Vec::new(),
            fix: None,
        });
        let finding = self.findings.last_mut().expect("just pushed");
        FindingBuilder { finding }
    }
}

/// Adds details to a reported finding.
pub struct FindingBuilder<'f> {
    finding: &'f mut Finding,
}

impl FindingBuilder<'_> {
    pub fn help(self, help: impl Into<String>) -> Self {
        self.finding.help = Some(help.into());
        self
    }

    pub fn label(self, span: Span, label: impl Into<String>) -> Self {
        self.finding.labels.push((span, label.into()));
        self
    }

    pub fn fix(self, fix: Fix) -> Self {
        self.finding.fix = Some(fix);
        self
    }

    pub fn maybe_fix(self, fix: Option<Fix>) -> Self {
        if let Some(f) = fix {
            self.finding.fix = Some(f);
        }
        self
    }

    /// Reports this finding at `severity` instead of the rule's default
    /// (a rule that is surer in some cases than in others). A severity set
    /// by configuration wins.
    pub fn severity(self, severity: Severity) -> Self {
        if self.finding.severity == self.finding.rule.severity {
            self.finding.severity = severity;
        }
        self
    }
}
