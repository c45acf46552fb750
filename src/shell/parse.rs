//! The adapter over `brush-parser`: its tree into [`SimpleCommand`]s and
//! [`Pipeline`]s with byte spans into the Dockerfile.

use super::word::{matching, unquote};
use super::{Connector, Context, Pipeline, Redirect, Script, ShellWord, SimpleCommand};
use brush_parser::ast;
use brush_parser::ast::SourceLocation;

/// Nested scripts (`$( … )`, `sh -c '…'`) deeper than this are not parsed.
const MAX_NESTING: u32 = 4;

/// Parses [`Script::text`] and fills in its commands and pipelines.
pub fn parse_script(script: &mut Script) {
    let text = script.text.clone();
    let mut out = Output::default();
    match parse_program(&text) {
        Ok(program) => {
            let mut w = Walker {
                script,
                base: 0,
                chars: CharIndex::new(&text),
                out: &mut out,
                depth: 0,
            };
            w.program(&program, Context::default());
        }
        Err(e) => {
            // recover what can be read: each top-level command on its own
            for (lo, hi) in split_top_level(&text) {
                let Some(piece) = text.get(lo..hi) else {
                    continue;
                };
                if piece.trim().is_empty() {
                    continue;
                }
                if let Ok(program) = parse_program(piece) {
                    let mut w = Walker {
                        script,
                        base: lo,
                        chars: CharIndex::new(piece),
                        out: &mut out,
                        depth: 0,
                    };
                    w.program(&program, Context::default());
                }
            }
            script.error = Some(e);
        }
    }
    script.commands = out.commands;
    script.pipelines = out.pipelines;
}

/// Scripts nested deeper than this (brackets, substitutions, compound
/// commands) are not handed to the recursive parser, which would exhaust the
/// stack; real scripts stay far below it.
const MAX_SYNTAX_DEPTH: usize = 48;

/// An upper bound of the syntactic nesting of `text`: brackets and compound
/// command keywords, quotes not considered.
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for word in text.split(|c: char| c.is_whitespace() || c == ';') {
        match word {
            "if" | "while" | "until" | "for" | "case" | "select" => depth += 1,
            "fi" | "done" | "esac" => depth = depth.saturating_sub(1),
            _ => {}
        }
        max = max.max(depth);
        for b in word.bytes() {
            match b {
                b'(' | b'{' | b'`' => depth += 1,
                b')' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            max = max.max(depth);
        }
    }
    max
}

fn parse_program(text: &str) -> Result<ast::Program, String> {
    if nesting_depth(text) > MAX_SYNTAX_DEPTH {
        return Err(format!(
            "nested more than {MAX_SYNTAX_DEPTH} levels deep: not parsed"
        ));
    }
    let options = brush_parser::ParserOptions::default();
    let result = std::panic::catch_unwind(|| {
        let mut parser = brush_parser::Parser::new(std::io::Cursor::new(text.as_bytes()), &options);
        parser.parse_program()
    });
    match result {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the shell parser failed on this text".to_string()),
    }
}

#[derive(Default)]
struct Output {
    commands: Vec<SimpleCommand>,
    pipelines: Vec<Pipeline>,
}

/// Character index to byte offset, for non-ASCII text.
struct CharIndex {
    offsets: Option<Vec<usize>>,
    len: usize,
}

impl CharIndex {
    fn new(text: &str) -> Self {
        let offsets = (!text.is_ascii()).then(|| {
            let mut v: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            v.push(text.len());
            v
        });
        CharIndex {
            offsets,
            len: text.len(),
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.offsets {
            Some(v) => v.get(char_index).copied().unwrap_or(self.len),
            None => char_index.min(self.len),
        }
    }
}

struct Walker<'a> {
    script: &'a Script,
    /// Offset of `text` in the script text.
    base: usize,
    chars: CharIndex,
    out: &'a mut Output,
    depth: u32,
}

impl Walker<'_> {
    fn program(&mut self, p: &ast::Program, cx: Context) {
        for cc in &p.complete_commands {
            self.list(cc, cx);
        }
    }

    fn list(&mut self, list: &ast::CompoundList, cx: Context) {
        for ast::CompoundListItem(aol, sep) in &list.0 {
            let mut c = cx;
            c.background |= matches!(sep, ast::SeparatorOperator::Async);
            self.and_or(aol, c);
        }
    }

    fn and_or(&mut self, aol: &ast::AndOrList, cx: Context) {
        // a pipeline followed (somewhere later) by `||` has its failure handled
        // or_after[i]: an `||` follows element i
        let mut or_after = vec![false; aol.additional.len() + 1];
        for (i, a) in aol.additional.iter().enumerate().rev() {
            or_after[i] = matches!(a, ast::AndOr::Or(_)) || or_after[i + 1];
        }
        let handled = |i: usize| or_after[i];
        let mut c = cx;
        c.condition |= handled(0);
        self.pipeline(&aol.first, Connector::Start, c);
        for (i, a) in aol.additional.iter().enumerate() {
            let mut c = cx;
            c.condition |= handled(i + 1);
            match a {
                ast::AndOr::And(p) => self.pipeline(p, Connector::And, c),
                ast::AndOr::Or(p) => self.pipeline(p, Connector::Or, c),
            }
        }
    }

    fn pipeline(&mut self, p: &ast::Pipeline, connector: Connector, cx: Context) {
        let index = self.out.pipelines.len();
        let span = self.loc_span(p.location().as_ref());
        self.out.pipelines.push(Pipeline {
            commands: Vec::new(),
            negated: p.bang,
            connector,
            span,
        });
        let len = p.seq.len();
        for cmd in &p.seq {
            let first = self.out.commands.len();
            self.command(cmd, index, cx);
            // the pipeline lists its direct simple commands; a compound
            // element counts as one member
            if let Some(pl) = self.out.pipelines.get_mut(index) {
                if let ast::Command::Simple(_) = cmd {
                    pl.commands.push(first);
                } else if len > 1 {
                    pl.commands
                        .push(first.min(self.out.commands.len().saturating_sub(1)));
                }
            }
        }
    }

    fn command(&mut self, cmd: &ast::Command, pipeline: usize, cx: Context) {
        match cmd {
            ast::Command::Simple(sc) => self.simple(sc, pipeline, cx),
            ast::Command::Compound(cc, _) => self.compound(cc, cx),
            ast::Command::Function(f) => {
                let mut c = cx;
                c.in_function = true;
                self.compound(&f.body.0, c);
            }
            ast::Command::ExtendedTest(..) => {}
        }
    }

    fn compound(&mut self, cc: &ast::CompoundCommand, cx: Context) {
        match cc {
            ast::CompoundCommand::BraceGroup(b) => self.list(&b.list, cx),
            ast::CompoundCommand::Subshell(s) => {
                let mut c = cx;
                c.subshell = true;
                self.list(&s.list, c);
            }
            ast::CompoundCommand::ForClause(f) => {
                // substitutions in the word list run once, before the loop
                self.words_substitutions(f.values.iter().flatten(), cx);
                let mut c = cx;
                c.in_loop = true;
                self.list(&f.body.list, c);
            }
            ast::CompoundCommand::ArithmeticForClause(f) => {
                let mut c = cx;
                c.in_loop = true;
                self.list(&f.body.list, c);
            }
            ast::CompoundCommand::CaseClause(cs) => {
                self.words_substitutions(std::iter::once(&cs.value), cx);
                for item in &cs.cases {
                    if let Some(list) = &item.cmd {
                        self.list(list, cx);
                    }
                }
            }
            ast::CompoundCommand::IfClause(i) => {
                let mut cond = cx;
                cond.condition = true;
                self.list(&i.condition, cond);
                self.list(&i.then, cx);
                for e in i.elses.iter().flatten() {
                    if let Some(c) = &e.condition {
                        self.list(c, cond);
                    }
                    self.list(&e.body, cx);
                }
            }
            ast::CompoundCommand::WhileClause(w) | ast::CompoundCommand::UntilClause(w) => {
                let mut c = cx;
                c.in_loop = true;
                let mut cond = c;
                cond.condition = true;
                self.list(&w.0, cond);
                self.list(&w.1.list, c);
            }
            ast::CompoundCommand::Coprocess(c) => {
                let mut cx2 = cx;
                cx2.background = true;
                self.command(&c.body, self.out.pipelines.len().saturating_sub(1), cx2);
            }
            ast::CompoundCommand::Arithmetic(_) => {}
        }
    }

    /// Parses the command substitutions in `words`.
    fn words_substitutions<'w>(&mut self, words: impl Iterator<Item = &'w ast::Word>, cx: Context) {
        let mut nested = Vec::new();
        for w in words {
            let sw = self.word(w);
            nested.extend(substitutions(&sw, self.word_range(w)));
        }
        for (lo, hi) in nested {
            self.nested(lo, hi, cx);
        }
    }

    fn simple(&mut self, sc: &ast::SimpleCommand, pipeline: usize, cx: Context) {
        let mut cmd = SimpleCommand {
            assignments: Vec::new(),
            name: None,
            args: Vec::new(),
            redirects: Vec::new(),
            span: self.loc_span(sc.location().as_ref()),
            pipeline,
            context: cx,
        };
        let mut nested: Vec<(usize, usize)> = Vec::new();
        for item in sc.prefix.iter().flat_map(|p| p.0.iter()) {
            match item {
                ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => {
                    let sw = self.word(w);
                    nested.extend(substitutions(&sw, self.word_range(w)));
                    cmd.assignments.push(sw);
                }
                ast::CommandPrefixOrSuffixItem::Word(w) => {
                    let sw = self.word(w);
                    nested.extend(substitutions(&sw, self.word_range(w)));
                    cmd.args.push(sw);
                }
                ast::CommandPrefixOrSuffixItem::IoRedirect(r) => {
                    cmd.redirects.push(self.redirect(r))
                }
                ast::CommandPrefixOrSuffixItem::ProcessSubstitution(..) => {}
            }
        }
        if let Some(w) = &sc.word_or_name {
            let sw = self.word(w);
            nested.extend(substitutions(&sw, self.word_range(w)));
            cmd.name = Some(sw);
        }
        for item in sc.suffix.iter().flat_map(|p| p.0.iter()) {
            match item {
                ast::CommandPrefixOrSuffixItem::Word(w)
                | ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => {
                    let sw = self.word(w);
                    nested.extend(substitutions(&sw, self.word_range(w)));
                    cmd.args.push(sw);
                }
                ast::CommandPrefixOrSuffixItem::IoRedirect(r) => {
                    cmd.redirects.push(self.redirect(r))
                }
                ast::CommandPrefixOrSuffixItem::ProcessSubstitution(..) => {}
            }
        }
        // `sh -c '…'`: the quoted script is parsed too
        if let Some((lo, hi)) = self.shell_c_script(&cmd) {
            nested.push((lo, hi));
        }
        if cmd.span.is_empty() {
            let first = cmd
                .assignments
                .first()
                .or(cmd.name.as_ref())
                .map(|w| w.span);
            let last = cmd.args.last().or(cmd.name.as_ref()).map(|w| w.span);
            if let (Some(a), Some(b)) = (first, last) {
                cmd.span = a.cover(b);
            }
        }
        self.out.commands.push(cmd);
        for (lo, hi) in nested {
            self.nested(lo, hi, cx);
        }
    }

    /// `(start, end)` in script bytes of the inner script of `sh -c`.
    fn shell_c_script(&self, cmd: &SimpleCommand) -> Option<(usize, usize)> {
        let (name, args) = cmd.unwrapped();
        let name = name?;
        let base = name.value.rsplit('/').next().unwrap_or(&name.value);
        if !matches!(base, "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh") {
            return None;
        }
        let c = args.iter().position(|a| {
            a.value.starts_with('-') && !a.value.starts_with("--") && a.value.ends_with('c')
        })?;
        let w = args.get(c + 1)?;
        let raw = w.raw.as_str();
        let quoted = (raw.starts_with('\'') && raw.ends_with('\'') && raw.len() >= 2)
            || (raw.starts_with('"')
                && raw.ends_with('"')
                && raw.len() >= 2
                && !raw.contains(['\\', '$', '`']));
        if !quoted {
            return None;
        }
        let start = w.offset as usize;
        Some((start + 1, start + raw.len() - 1))
    }

    fn nested(&mut self, lo: usize, hi: usize, cx: Context) {
        if self.depth >= MAX_NESTING {
            return;
        }
        let Some(inner) = self.script.text.get(lo..hi) else {
            return;
        };
        let Ok(program) = parse_program(inner) else {
            return;
        };
        let mut c = cx;
        c.subshell = true;
        let mut w = Walker {
            script: self.script,
            base: lo,
            chars: CharIndex::new(inner),
            out: self.out,
            depth: self.depth + 1,
        };
        // substitutions run in a subshell; their status is usually ignored
        c.substitution = c.substitution || hi > lo;
        w.program(&program, c);
    }

    fn redirect(&mut self, r: &ast::IoRedirect) -> Redirect {
        let span = self.loc_span(r.location().as_ref());
        match r {
            ast::IoRedirect::File(fd, kind, target) => {
                let op = match kind {
                    ast::IoFileRedirectKind::Read => "<",
                    ast::IoFileRedirectKind::Write => ">",
                    ast::IoFileRedirectKind::Append => ">>",
                    ast::IoFileRedirectKind::ReadAndWrite => "<>",
                    ast::IoFileRedirectKind::Clobber => ">|",
                    ast::IoFileRedirectKind::DuplicateInput => "<&",
                    ast::IoFileRedirectKind::DuplicateOutput => ">&",
                };
                let target = match target {
                    ast::IoFileRedirectTarget::Filename(w)
                    | ast::IoFileRedirectTarget::Duplicate(w) => Some(self.word(w)),
                    _ => None,
                };
                Redirect {
                    op,
                    fd: *fd,
                    target,
                    span,
                }
            }
            ast::IoRedirect::HereDocument(fd, h) => Redirect {
                op: "<<",
                fd: *fd,
                target: Some(self.word(&h.here_end)),
                span,
            },
            ast::IoRedirect::HereString(fd, w) => Redirect {
                op: "<<<",
                fd: *fd,
                target: Some(self.word(w)),
                span,
            },
            ast::IoRedirect::OutputAndError(w, append) => Redirect {
                op: if *append { "&>>" } else { "&>" },
                fd: None,
                target: Some(self.word(w)),
                span,
            },
        }
    }

    /// Script byte range of a brush location.
    fn range(&self, loc: Option<&brush_parser::SourceSpan>) -> Option<(usize, usize)> {
        let loc = loc?;
        let s = self.base + self.chars.byte(loc.start.index);
        let e = self.base + self.chars.byte(loc.end.index);
        (e >= s).then_some((s, e))
    }

    fn loc_span(&self, loc: Option<&brush_parser::SourceSpan>) -> crate::source::Span {
        match self.range(loc) {
            Some((s, e)) => self.script.span(s, e),
            None => crate::source::Span::default(),
        }
    }

    fn word_range(&self, w: &ast::Word) -> Option<(usize, usize)> {
        self.range(w.loc.as_ref())
    }

    fn word(&self, w: &ast::Word) -> ShellWord {
        let (raw, span, offset) = match self.word_range(w) {
            Some((s, e)) => (
                self.script.text.get(s..e).unwrap_or(&w.value).to_string(),
                self.script.span(s, e),
                s,
            ),
            None => (w.value.clone(), crate::source::Span::default(), self.base),
        };
        let (value, dynamic) = unquote(&raw);
        ShellWord {
            raw,
            value,
            dynamic,
            span,
            offset: crate::source::to_u32(offset),
        }
    }
}

/// Byte ranges of the top-level commands of a script: split at `&&`, `||`,
/// `;`, `|`, `&` and newlines outside quotes, substitutions and brackets.
fn split_top_level(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut depth = 0i32;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'\'' => {
                i = text[i + 1..].find('\'').map_or(b.len(), |j| i + 1 + j);
            }
            b'"' => {
                let mut k = i + 1;
                while k < b.len() && b[k] != b'"' {
                    k += if b[k] == b'\\' { 2 } else { 1 };
                }
                i = k;
            }
            b'`' => {
                i = text[i + 1..].find('`').map_or(b.len(), |j| i + 1 + j);
            }
            b'(' | b'{' => depth += 1,
            b')' | b'}' => depth -= 1,
            // a single `|` joins a pipeline: keep it in one piece
            b'|' if b.get(i + 1) != Some(&b'|') && (i == 0 || b[i - 1] != b'|') => {}
            b'&' | b'|' | b';' | b'\n' if depth <= 0 => {
                out.push((start, i));
                while i + 1 < b.len() && matches!(b[i + 1], b'&' | b'|') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push((start, b.len()));
    out
}

/// Command substitutions `$( … )` and backquotes in a word, as script byte
/// ranges of their inner text.
fn substitutions(w: &ShellWord, range: Option<(usize, usize)>) -> Vec<(usize, usize)> {
    let Some((start, _)) = range else {
        return Vec::new();
    };
    if !w.dynamic {
        return Vec::new();
    }
    let raw = w.raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut in_single = false;
    while i < raw.len() {
        match raw[i] {
            b'\'' if !in_single => {
                // single quotes outside double quotes hide substitutions
                in_single = true;
            }
            b'\'' => in_single = false,
            b'\\' => i += 1,
            b'$' if !in_single
                && raw.get(i + 1) == Some(&b'(')
                && raw.get(i + 2) != Some(&b'(') =>
            {
                let end = matching(&w.raw, i + 1, b'(', b')');
                if end > i + 2 {
                    out.push((start + i + 2, start + end - 1));
                }
                i = end;
                continue;
            }
            b'`' if !in_single => {
                let mut j = i + 1;
                while j < raw.len() && raw[j] != b'`' {
                    j += if raw[j] == b'\\' { 2 } else { 1 };
                }
                if j > i + 1 && j <= raw.len() {
                    out.push((start + i + 1, start + j.min(raw.len())));
                }
                i = j + 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Dialect, Script};
    use crate::source::Span;

    fn parse(text: &str) -> Script {
        Script::from_text(
            text.to_string(),
            vec![(0, 100)],
            Span::new(100, 100 + text.len() as u32),
            Dialect::Sh,
        )
    }

    fn names(s: &Script) -> Vec<String> {
        s.commands
            .iter()
            .map(|c| c.name.as_ref().map(|n| n.value.clone()).unwrap_or_default())
            .collect()
    }

    #[test]
    fn lists_and_pipelines() {
        let t = "apt-get update && apt-get install -y curl | tee log; rm -rf /x || true";
        let s = parse(t);
        assert_eq!(names(&s), ["apt-get", "apt-get", "tee", "rm", "true"]);
        assert!(s.has_pipe());
        assert_eq!(s.pipelines[1].commands.len(), 2);
        assert_eq!(s.pipelines[1].connector, super::Connector::And);
        assert!(s.commands[3].context.condition);
        assert!(!s.commands[0].context.condition);
        let curl = &s.commands[1].args[2];
        assert_eq!(curl.value, "curl");
        let at = 100 + text_pos(t, "curl");
        assert_eq!(curl.span, Span::new(at, at + 4));
    }

    #[test]
    fn assignments_in_suffix_are_arguments() {
        let s = parse("FOO=1 apt-get install -y pkg=1.2 'b c'");
        let c = &s.commands[0];
        assert_eq!(c.assignments[0].value, "FOO=1");
        let args: Vec<_> = c.arg_values().collect();
        assert_eq!(args, ["install", "-y", "pkg=1.2", "b c"]);
    }

    #[test]
    fn compound_commands_and_contexts() {
        let s = parse(
            "if [ -f x ]; then cd /a; fi; for p in a b; do pip install $p; done; (cd /x && make)",
        );
        assert_eq!(names(&s), ["[", "cd", "pip", "cd", "make"]);
        assert!(s.commands[0].context.condition);
        assert!(s.commands[2].context.in_loop);
        assert!(s.commands[3].context.subshell);
    }

    #[test]
    fn substitutions_and_sh_c_are_parsed() {
        let s = parse("echo $(apt-get install x) && sh -c 'cd /tmp && ls'");
        let n = names(&s);
        assert!(n.contains(&"apt-get".to_string()));
        assert!(n.contains(&"cd".to_string()));
        let cd = s.commands.iter().find(|c| c.is("cd")).unwrap();
        assert_eq!(
            cd.span.start,
            100 + text_pos("echo $(apt-get install x) && sh -c 'cd /tmp && ls'", "cd")
        );
    }

    fn text_pos(t: &str, needle: &str) -> u32 {
        t.find(needle).unwrap() as u32
    }

    #[test]
    fn heredocs_in_scripts() {
        let s = parse("cat <<EOF > /etc/x\nhello\nEOF\necho done\n");
        assert_eq!(names(&s), ["cat", "echo"]);
        assert_eq!(s.commands[0].redirects.len(), 2);
    }

    #[test]
    fn wrappers_are_unwrapped() {
        let s = parse("sudo -u root env A=1 nice -n 5 apt-get install x");
        assert_eq!(s.commands[0].program(), Some("apt-get"));
        let (_, args) = s.commands[0].unwrapped();
        assert_eq!(args[0].value, "install");
    }

    #[test]
    fn non_ascii_positions_are_bytes() {
        let s = parse("echo é && rm x");
        let rm = &s.commands[1];
        assert_eq!(
            rm.name.as_ref().unwrap().span,
            Span::new(100 + 11, 100 + 13)
        );
    }

    #[test]
    fn broken_scripts_report_errors() {
        let s = parse("if then fi (");
        assert!(s.error.is_some());
        assert!(s.commands.is_empty());
    }

    #[test]
    fn commands_around_an_unparsable_one_are_recovered() {
        let t = "apk add curl && ARCH=$(case ${A} in amd64) echo x;; esac) && cd /tmp";
        let s = parse(t);
        assert!(s.error.is_some());
        let n = names(&s);
        assert!(
            n.contains(&"apk".to_string()) && n.contains(&"cd".to_string()),
            "{n:?}"
        );
        let cd = s.commands.iter().find(|c| c.is("cd")).unwrap();
        assert_eq!(cd.span.start, 100 + text_pos(t, "cd"));
        // substitutions in a `for` word list and a `case` word
        let s = parse(
            "for f in $(git ls-files | grep x); do echo $f; done; case $(uname -m) in x) ;; esac",
        );
        let n = names(&s);
        assert!(
            n.contains(&"git".to_string()) && n.contains(&"uname".to_string()),
            "{n:?}"
        );
        assert!(s.has_pipe());
        // pipelines stay whole
        let t = "X=$(case ${A} in a) echo x;; esac) && curl -s u | tar xz || true";
        let s = parse(t);
        assert!(s.error.is_some());
        assert!(s.has_pipe(), "{:?}", s.pipelines);
    }
}
