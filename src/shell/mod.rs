//! The shell view of `RUN`: each shell-form body (and each heredoc body that
//! the shell runs) parsed into simple commands, pipelines and lists, every
//! word with a [`Span`] that points back into the Dockerfile, across
//! continuation lines and inside heredocs.
//!
//! Parsing is done by `brush-parser`; this module adapts its tree into the
//! flat view the rules need and maps its character positions to bytes.

pub mod apt;
pub mod args;
pub mod cache;
pub mod deps;
pub mod linking;
pub mod nested;
pub mod npm;
mod parse;
pub mod pip;
pub mod process;
pub mod rpm;
mod word;

pub use parse::parse_script;
pub use word::unquote;

use crate::graph::InstrState;
use crate::source::{Span, to_u32};
use crate::syntax::{Command, Instruction, Kind};

/// The shell language of a script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sh,
    Bash,
    /// A shell that is not sh-compatible (PowerShell, `cmd`): not parsed.
    NonPosix,
    /// A heredoc run by another interpreter (`#!/usr/bin/env python3`).
    Other,
}

/// How a pipeline is joined to the one before it in its list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// First in its list.
    Start,
    /// `&&`
    And,
    /// `||`
    Or,
    /// `;` or a newline
    Seq,
}

/// A word of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellWord {
    /// As written (quotes included).
    pub raw: String,
    /// Quotes and escapes removed; expansions kept as written.
    pub value: String,
    /// Contains `$…` or a command substitution.
    pub dynamic: bool,
    pub span: Span,
    /// Byte offset of `raw` in [`Script::text`].
    pub offset: u32,
}

impl ShellWord {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

/// A redirection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// `>`, `>>`, `<`, `<<` (heredoc), `<<<`, `&>`, `>&` …
    pub op: &'static str,
    pub fd: Option<i32>,
    /// The file, the duplicated descriptor, or the heredoc delimiter.
    pub target: Option<ShellWord>,
    pub span: Span,
}

/// Where a command sits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// In the condition of `if`/`while`/`until`, or before `||`.
    pub condition: bool,
    /// Inside a loop body.
    pub in_loop: bool,
    /// Inside a function body.
    pub in_function: bool,
    /// Inside `( … )`, `$( … )`, backquotes or a nested `sh -c`.
    pub subshell: bool,
    /// Inside a command substitution.
    pub substitution: bool,
    /// Run in the background with `&`.
    pub background: bool,
}

/// A simple command: assignments, a name, arguments and redirections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    pub assignments: Vec<ShellWord>,
    pub name: Option<ShellWord>,
    pub args: Vec<ShellWord>,
    pub redirects: Vec<Redirect>,
    pub span: Span,
    /// Index into [`Script::pipelines`].
    pub pipeline: usize,
    pub context: Context,
}

impl SimpleCommand {
    /// The command name with any directory removed (`/usr/bin/apt-get` →
    /// `apt-get`).
    pub fn base_name(&self) -> Option<&str> {
        let name = self.name.as_ref()?;
        Some(name.value.rsplit('/').next().unwrap_or(&name.value))
    }

    /// Whether the command is `name` (by base name).
    pub fn is(&self, name: &str) -> bool {
        self.base_name() == Some(name)
    }

    /// Argument values.
    pub fn arg_values(&self) -> impl Iterator<Item = &str> {
        self.args.iter().map(|a| a.value.as_str())
    }

    /// The command with wrappers such as `sudo`, `env X=1`, `nice`,
    /// `timeout 10`, `xargs`, `exec` removed: the name and arguments of the
    /// program that actually runs.
    pub fn unwrapped(&self) -> (Option<&ShellWord>, &[ShellWord]) {
        let mut name = self.name.as_ref();
        let mut args: &[ShellWord] = &self.args;
        for _ in 0..8 {
            let Some(n) = name else { break };
            let base = n.value.rsplit('/').next().unwrap_or(&n.value);
            let skip_opts = |args: &[ShellWord], with_value: &[&str]| -> usize {
                let mut i = 0;
                while let Some(a) = args.get(i) {
                    let v = a.value.as_str();
                    if v == "--" {
                        return i + 1;
                    }
                    if !v.starts_with('-') || v == "-" {
                        break;
                    }
                    i += if with_value.contains(&v) { 2 } else { 1 };
                }
                i
            };
            let consumed = match base {
                "sudo" => skip_opts(
                    args,
                    &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"],
                ),
                "doas" => skip_opts(args, &["-u", "-C"]),
                "env" => {
                    let mut i = skip_opts(args, &["-u", "-C", "-S"]);
                    while args
                        .get(i)
                        .is_some_and(|a| a.value.contains('=') && !a.value.starts_with('='))
                    {
                        i += 1;
                    }
                    i
                }
                "nice" => skip_opts(args, &["-n"]),
                "nohup" | "exec" | "command" | "builtin" | "time" | "stdbuf" | "chroot"
                | "unbuffer" => {
                    let i = skip_opts(args, &["-a", "-i", "-o", "-e"]);
                    if base == "chroot" { i + 1 } else { i }
                }
                "timeout" => skip_opts(args, &["-k", "-s", "--kill-after", "--signal"]) + 1,
                "gosu" | "su-exec" => 1,
                "xargs" => skip_opts(args, &["-I", "-L", "-n", "-P", "-d", "-E", "-s", "-a"]),
                "tini" | "dumb-init" => skip_opts(args, &[]),
                _ => break,
            };
            if consumed >= args.len() {
                return (None, &[]);
            }
            name = args.get(consumed);
            args = &args[consumed + 1..];
        }
        (name, args)
    }

    /// The base name of the unwrapped command.
    pub fn program(&self) -> Option<&str> {
        let (name, _) = self.unwrapped();
        let name = name?;
        Some(name.value.rsplit('/').next().unwrap_or(&name.value))
    }
}

/// A pipeline: commands joined by `|`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    pub commands: Vec<usize>,
    pub negated: bool,
    pub connector: Connector,
    pub span: Span,
}

/// A parsed script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script {
    /// The text given to the shell.
    pub text: String,
    /// `(script offset, source offset)` at the start of each piece.
    map: Vec<(u32, u32)>,
    /// The whole source region the script came from.
    pub span: Span,
    pub commands: Vec<SimpleCommand>,
    pub pipelines: Vec<Pipeline>,
    /// Why the shell text could not be parsed.
    pub error: Option<String>,
    pub dialect: Option<Dialect>,
}

impl Script {
    /// Maps a byte offset of [`Script::text`] to the source.
    pub fn to_source(&self, offset: usize) -> u32 {
        let offset = to_u32(offset);
        let i = match self.map.binary_search_by_key(&offset, |s| s.0) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        match self.map.get(i) {
            Some(&(s, src)) => src + (offset - s.min(offset)),
            None => self.span.start,
        }
    }

    /// The source span of script bytes `[start, end)`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        if end <= start {
            let at = self.to_source(start);
            return Span::new(at, at);
        }
        let s = self.to_source(start);
        let e = self.to_source(end - 1) + 1;
        Span::new(s, e.max(s))
    }

    /// Commands that run a program named `name` (after wrappers).
    pub fn commands_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a SimpleCommand> + 'a {
        self.commands
            .iter()
            .filter(move |c| c.program() == Some(name))
    }

    /// Whether any pipeline has more than one command.
    pub fn has_pipe(&self) -> bool {
        self.pipelines.iter().any(|p| p.commands.len() > 1)
    }

    /// The pipeline of a command.
    pub fn pipeline_of(&self, cmd: &SimpleCommand) -> Option<&Pipeline> {
        self.pipelines.get(cmd.pipeline)
    }

    /// Shell variables set by plain assignments (`PKGS='a b'`,
    /// `export X=1`) before command `index`, latest last.
    pub fn variables_before(&self, index: usize) -> Vec<(String, String)> {
        let mut vars = Vec::new();
        for c in self.commands.iter().take(index) {
            let name = c.name.as_ref().map(|n| n.value.as_str());
            // assignments before a special builtin stay in the shell
            let prefix: &[ShellWord] = match name {
                None
                | Some(
                    ":" | "set" | "export" | "readonly" | "eval" | "." | "shift" | "trap" | "unset",
                ) => &c.assignments,
                _ => &[],
            };
            let declared: &[ShellWord] = match name {
                Some("export" | "readonly" | "declare" | "local" | "typeset") => &c.args,
                _ => &[],
            };
            for w in prefix.iter().chain(declared) {
                if let Some((k, _)) = w.raw.split_once('=')
                    && !k.is_empty()
                    && k.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                {
                    let value = w.value.split_once('=').map_or("", |(_, v)| v);
                    vars.push((k.to_string(), value.to_string()));
                }
            }
        }
        vars
    }

    /// The words a dynamic word stands for, using the script's own
    /// variables and then `env` (the Dockerfile's `ARG`/`ENV`); `None` when
    /// something stays unknown.
    pub fn resolve_words(
        &self,
        index: usize,
        word: &ShellWord,
        env: &dyn crate::syntax::lex::Env,
    ) -> Option<Vec<String>> {
        if !word.dynamic {
            return Some(vec![word.value.clone()]);
        }
        if word.raw.contains("$(") || word.raw.contains('`') {
            return None;
        }
        let local = self.variables_before(index);
        let chained = ChainEnv {
            first: &local,
            second: env,
        };
        let mut lex = crate::syntax::lex::Lex::new('\\');
        lex.skip_unset_env = true;
        // split the expanded text: BuildKit's own word list loses the text
        // before a `${VAR#prefix}` expansion
        let result = lex.process(&word.raw, &chained).ok()?.result;
        if result.contains('$') {
            return None;
        }
        // a word in double quotes stays one word
        let raw = word.raw.as_str();
        if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
            return Some(vec![result]);
        }
        Some(result.split_whitespace().map(str::to_string).collect())
    }

    /// Parses `text` whose bytes map to the source through `map`.
    pub fn from_text(text: String, map: Vec<(u32, u32)>, span: Span, dialect: Dialect) -> Script {
        let mut script = Script {
            text,
            map,
            span,
            dialect: Some(dialect),
            ..Script::default()
        };
        if matches!(dialect, Dialect::Sh | Dialect::Bash) {
            parse_script(&mut script);
        }
        script
    }
}

/// Looks names up in `first`, then in `second`.
struct ChainEnv<'a> {
    first: &'a [(String, String)],
    second: &'a dyn crate::syntax::lex::Env,
}

impl crate::syntax::lex::Env for ChainEnv<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.first
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .or_else(|| self.second.get(name))
    }
}

/// The shell an instruction's shell form runs with.
pub fn dialect_of_shell(shell: &[String]) -> Dialect {
    let Some(first) = shell.first() else {
        return Dialect::Sh;
    };
    let base = first
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(first)
        .to_ascii_lowercase();
    let base = base.strip_suffix(".exe").unwrap_or(&base);
    match base {
        "bash" => Dialect::Bash,
        "sh" | "ash" | "dash" | "busybox" | "zsh" | "ksh" | "mksh" => Dialect::Sh,
        "powershell" | "pwsh" | "cmd" => Dialect::NonPosix,
        _ => Dialect::NonPosix,
    }
}

/// The dialect named by a heredoc's shebang line, if it has one.
fn dialect_of_shebang(content: &str) -> Option<Dialect> {
    let first = content.lines().next()?;
    let rest = first.strip_prefix("#!")?.trim();
    let mut parts = rest.split_whitespace();
    let mut prog = parts.next()?;
    if prog.ends_with("/env") || prog == "env" {
        prog = parts.find(|p| !p.starts_with('-'))?;
    }
    let base = prog.rsplit('/').next().unwrap_or(prog);
    Some(match base {
        "bash" => Dialect::Bash,
        "sh" | "ash" | "dash" | "zsh" | "ksh" | "mksh" => Dialect::Sh,
        _ => Dialect::Other,
    })
}

/// The scripts an instruction runs: the shell-form body of `RUN` (with its
/// heredocs), a heredoc body run as a script, or the script of an exec-form
/// `sh -c`. `ONBUILD RUN` is handled through its body.
pub fn scripts(source: &str, ins: &Instruction, state: Option<&InstrState>) -> Vec<Script> {
    let ins = ins.onbuild_body().unwrap_or(ins);
    if ins.kind != Kind::Run {
        return Vec::new();
    }
    let shell_dialect = state.map_or(Dialect::Sh, |s| dialect_of_shell(&s.shell));
    match ins.command() {
        Some(Command::Shell { logical, .. }) => {
            let (lo, hi) = (logical.0 as usize, logical.1 as usize);
            let body = ins.logical.text.get(lo..hi).unwrap_or("");
            // `RUN <<EOF` alone: the heredoc is the script
            if ins.heredocs.len() == 1 && is_lone_marker(body) {
                let h = &ins.heredocs[0];
                let content = h.effective_content();
                let dialect = match dialect_of_shebang(&content) {
                    Some(d) => d,
                    None => shell_dialect,
                };
                let map = heredoc_map(h);
                return vec![Script::from_text(content, map, h.body, dialect)];
            }
            let mut text = body.to_string();
            let mut map: Vec<(u32, u32)> = ins
                .logical
                .pieces()
                .filter_map(|(l, s, len)| {
                    let (a, b) = (l.max(lo), (l + len).min(hi));
                    (a < b).then(|| (to_u32(a - lo), to_u32(s + (a - l))))
                })
                .collect();
            let mut span = ins.logical.span(lo, hi);
            if let (Some(first), Some(last)) = (ins.heredocs.first(), ins.heredocs.last()) {
                // the shell sees the line, then the bodies and terminators
                text.push('\n');
                let start = first.body.start.min(first.terminator.start);
                let end = last.terminator.end;
                map.push((to_u32(text.len()), start));
                // the source region holds bodies and terminators verbatim
                text.push_str(Span::new(start, end).text(source));
                text.push('\n');
                span = span.cover(Span::new(start, end));
            }
            vec![Script::from_text(text, map, span, shell_dialect)]
        }
        Some(Command::Exec { args, .. }) => {
            // ["sh", "-c", "script"]
            let names: Vec<&str> = args.iter().map(|a| a.text.as_str()).collect();
            let Some(first) = names.first() else {
                return Vec::new();
            };
            let d = dialect_of_shell(&[first.to_string()]);
            if !matches!(d, Dialect::Sh | Dialect::Bash) {
                return Vec::new();
            }
            let Some(c) = names
                .iter()
                .position(|a| a.starts_with('-') && a.ends_with('c') && !a.starts_with("--"))
            else {
                return Vec::new();
            };
            let Some(script_word) = args.get(c + 1) else {
                return Vec::new();
            };
            let inner = Span::new(
                script_word.span.start + 1,
                script_word.span.end.saturating_sub(1),
            );
            let exact = inner.len() == script_word.text.len();
            let map = if exact {
                vec![(0, inner.start)]
            } else {
                vec![(0, script_word.span.start)]
            };
            vec![Script::from_text(
                script_word.text.clone(),
                map,
                script_word.span,
                d,
            )]
        }
        _ => Vec::new(),
    }
}

fn is_lone_marker(body: &str) -> bool {
    let t = body.trim();
    let t = t.trim_start_matches(|c: char| c.is_ascii_digit());
    match t.strip_prefix("<<") {
        Some(rest) => {
            let rest = rest.trim_start_matches('-').trim();
            !rest.is_empty() && !rest.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// A heredoc body maps line by line; with `<<-` the stripped tabs shift it.
fn heredoc_map(h: &crate::syntax::Heredoc) -> Vec<(u32, u32)> {
    let mut map = Vec::new();
    let mut script_off = 0u32;
    let mut src = h.body.start;
    for line in h.content.split_inclusive('\n') {
        let stripped = if h.chomp {
            line.len() - line.trim_start_matches('\t').len()
        } else {
            0
        };
        map.push((script_off, src + to_u32(stripped)));
        script_off += to_u32(line.len() - stripped);
        src += to_u32(line.len());
    }
    if map.is_empty() {
        map.push((0, h.body.start));
    }
    map
}
