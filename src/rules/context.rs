//! What a rule sees while it runs, and how it reports.

use super::{Finding, Meta, RuleOptions, Severity};
use crate::fix::Fix;
use crate::graph::{Build, InstrState};
use crate::shell::{self, Script};
use crate::source::{SourceFile, Span};
use crate::syntax::{Dockerfile, Instruction};
use std::any::Any;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Values shared by the rules, by what they are and a key.
type Memo = HashMap<(&'static str, usize), Rc<dyn Any>>;

/// Data shared by all rules for one file.
pub struct Shared<'a> {
    pub file: &'a SourceFile,
    pub df: &'a Dockerfile,
    pub build: &'a Build,
    pub options: &'a RuleOptions,
    scripts: Vec<OnceCell<Vec<Script>>>,
    /// Values computed once per file and shared by the rules.
    memo: RefCell<Memo>,
    /// Build-context lookups already made.
    context: RefCell<HashMap<String, Option<PathBuf>>>,
    /// Where the build context may be: the Dockerfile's directory, then
    /// its parents up to the repository root.
    context_dirs: OnceCell<Vec<PathBuf>>,
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
            memo: RefCell::default(),
            context: RefCell::default(),
            context_dirs: OnceCell::new(),
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

    /// A value computed once per file for `(kind, key)` and shared by every
    /// rule that asks for it (`kind` names what it is, `key` is usually an
    /// instruction or stage index).
    pub fn memo<T: 'static>(
        &self,
        kind: &'static str,
        key: usize,
        init: impl FnOnce() -> T,
    ) -> Rc<T> {
        let found = self.shared.memo.borrow().get(&(kind, key)).cloned();
        if let Some(v) = found.and_then(|v| v.downcast::<T>().ok()) {
            return v;
        }
        let v = Rc::new(init());
        self.shared
            .memo
            .borrow_mut()
            .insert((kind, key), v.clone() as Rc<dyn Any>);
        v
    }

    /// Whether the build context has a file at `relative` path. The context
    /// is not known for sure: the Dockerfile's directory and its parents up
    /// to the repository root are tried. `false` when the file is not on
    /// disk (standard input).
    pub fn context_has(&self, relative: &str) -> bool {
        self.context_path(relative).is_some()
    }

    /// The text of the build-context file at `relative` path (found as
    /// [`Context::context_has`] finds it), if it is small enough to read.
    pub fn context_read(&self, relative: &str) -> Option<String> {
        const LIMIT: u64 = 1 << 20;
        let path = self.context_path(relative)?;
        if std::fs::metadata(&path).ok()?.len() > LIMIT {
            return None;
        }
        std::fs::read_to_string(path).ok()
    }

    fn context_path(&self, relative: &str) -> Option<PathBuf> {
        if let Some(found) = self.shared.context.borrow().get(relative) {
            return found.clone();
        }
        let found = self.find_in_context(relative);
        self.shared
            .context
            .borrow_mut()
            .insert(relative.to_string(), found.clone());
        found
    }

    fn find_in_context(&self, relative: &str) -> Option<PathBuf> {
        // only paths inside the context
        let rel = std::path::Path::new(relative.trim_start_matches("./"));
        if relative.is_empty()
            || !rel
                .components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        {
            return None;
        }
        self.context_dirs()
            .iter()
            .map(|d| d.join(rel))
            .find(|candidate| candidate.exists())
    }

    /// The directories the build context may be: the Dockerfile's, then its
    /// parents up to the repository root (at most five), found once.
    fn context_dirs(&self) -> &[PathBuf] {
        self.shared.context_dirs.get_or_init(|| {
            // the Dockerfile's directory (the file itself may not be on disk)
            let file = &self.shared.file.path;
            let dir = match std::fs::canonicalize(file) {
                Ok(p) => p.parent().map(Path::to_path_buf),
                Err(_) => file.parent().and_then(|p| std::fs::canonicalize(p).ok()),
            };
            let mut dirs = Vec::new();
            let mut dir = dir.as_deref();
            while let Some(d) = dir
                && dirs.len() < 5
            {
                dirs.push(d.to_path_buf());
                if d.join(".git").exists() {
                    break;
                }
                dir = d.parent();
            }
            dirs
        })
    }

    /// The text of the build-context file at `relative` path, looked up
    /// like [`Context::context_has`]; `None` when there is none, or it is
    /// not a readable text file.
    pub fn context_text(&self, relative: &str) -> Option<String> {
        let path = self.context_path(relative)?;
        if !path.is_file() {
            return None;
        }
        std::fs::read_to_string(path).ok()
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
            subject: None,
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

    /// Labels each of `spans` with the same text: the further occurrences
    /// of what the finding reports once.
    pub fn label_each(self, spans: impl IntoIterator<Item = Span>, label: &str) -> Self {
        for span in spans {
            self.finding.labels.push((span, label.to_string()));
        }
        self
    }

    pub fn fix(self, fix: Fix) -> Self {
        self.finding.fix = Some(fix);
        self
    }

    /// Reports at `severity` instead of the rule's default, for findings
    /// that are more (or less) certain than usual. A severity the user set
    /// for the rule wins.
    pub fn severity(self, severity: Severity) -> Self {
        if self.finding.severity == self.finding.rule.severity {
            self.finding.severity = severity;
        }
        self
    }

    pub fn maybe_fix(self, fix: Option<Fix>) -> Self {
        if let Some(f) = fix {
            self.finding.fix = Some(f);
        }
        self
    }
}
