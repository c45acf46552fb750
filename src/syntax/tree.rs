//! The lossless Dockerfile tree: every node carries a byte [`Span`] into the
//! original text.

use crate::source::{Span, to_u32};
use std::fmt;

/// A whole parsed Dockerfile.
#[derive(Clone, Debug, Default)]
pub struct Dockerfile {
    /// The escape character in force (`\` or `` ` ``).
    pub escape: char,
    /// The text starts with a UTF-8 byte order mark.
    pub bom: bool,
    /// Parser directives (`# syntax=`, `# escape=`, `# check=`).
    pub directives: Vec<Directive>,
    pub instructions: Vec<Instruction>,
    /// Every comment line, including those inside continuations.
    pub comments: Vec<Comment>,
    /// Instructions whose continuation has empty lines (BuildKit warns).
    pub empty_continuations: Vec<EmptyContinuation>,
    /// What BuildKit's parser rejects. The tree still holds everything that
    /// could be read, so the rest of the file can be linted.
    pub errors: Vec<ParseError>,
}

impl Dockerfile {
    /// The number of warnings BuildKit's parser raises.
    pub fn warning_count(&self) -> usize {
        self.empty_continuations.len()
    }

    /// The value of a parser directive (`syntax`, `escape`, `check`).
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// All instructions, with `ONBUILD` bodies visited after their wrapper.
    pub fn walk(&self) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .iter()
            .flat_map(|i| std::iter::once(i).chain(i.onbuild_body()))
    }
}

/// A parser directive at the top of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name.
    pub name: String,
    pub value: String,
    pub span: Span,
    pub name_span: Span,
    pub value_span: Span,
}

/// A comment line (from `#` to the end of the line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    /// The comment sits inside an instruction's continuation lines.
    pub in_continuation: bool,
}

/// Empty lines inside one instruction's continuation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmptyContinuation {
    /// Index into [`Dockerfile::instructions`].
    pub instruction: usize,
    pub lines: Vec<Span>,
}

/// What kind of input error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    NoInstructions,
    UnterminatedHeredoc,
    InvalidEscape,
    DuplicateDirective,
    MissingValue,
    MissingEquals,
    NotStringArray,
    InvalidHeredoc,
}

impl ParseErrorKind {
    /// A stable code for reports.
    pub fn code(self) -> &'static str {
        match self {
            ParseErrorKind::NoInstructions => "imglint::syntax::no-instructions",
            ParseErrorKind::UnterminatedHeredoc => "imglint::syntax::unterminated-heredoc",
            ParseErrorKind::InvalidEscape => "imglint::syntax::invalid-escape",
            ParseErrorKind::DuplicateDirective => "imglint::syntax::duplicate-directive",
            ParseErrorKind::MissingValue => "imglint::syntax::missing-value",
            ParseErrorKind::MissingEquals => "imglint::syntax::missing-equals",
            ParseErrorKind::NotStringArray => "imglint::syntax::not-string-array",
            ParseErrorKind::InvalidHeredoc => "imglint::syntax::invalid-heredoc",
        }
    }
}

/// Something BuildKit's Dockerfile parser rejects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// An instruction keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    StopSignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

impl Kind {
    pub const ALL: [Kind; 18] = [
        Kind::Add,
        Kind::Arg,
        Kind::Cmd,
        Kind::Copy,
        Kind::Entrypoint,
        Kind::Env,
        Kind::Expose,
        Kind::From,
        Kind::Healthcheck,
        Kind::Label,
        Kind::Maintainer,
        Kind::Onbuild,
        Kind::Run,
        Kind::Shell,
        Kind::StopSignal,
        Kind::User,
        Kind::Volume,
        Kind::Workdir,
    ];

    /// The kind of a keyword, in any case.
    pub fn from_keyword(word: &str) -> Kind {
        Kind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(word))
            .unwrap_or(Kind::Unknown)
    }

    /// The upper-case keyword.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Add => "ADD",
            Kind::Arg => "ARG",
            Kind::Cmd => "CMD",
            Kind::Copy => "COPY",
            Kind::Entrypoint => "ENTRYPOINT",
            Kind::Env => "ENV",
            Kind::Expose => "EXPOSE",
            Kind::From => "FROM",
            Kind::Healthcheck => "HEALTHCHECK",
            Kind::Label => "LABEL",
            Kind::Maintainer => "MAINTAINER",
            Kind::Onbuild => "ONBUILD",
            Kind::Run => "RUN",
            Kind::Shell => "SHELL",
            Kind::StopSignal => "STOPSIGNAL",
            Kind::User => "USER",
            Kind::Volume => "VOLUME",
            Kind::Workdir => "WORKDIR",
            Kind::Unknown => "UNKNOWN",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A piece of an instruction: its text as BuildKit hands it on (quotes kept
/// unless noted) and where it is in the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub span: Span,
}

impl Word {
    pub fn new(text: impl Into<String>, span: Span) -> Self {
        Word {
            text: text.into(),
            span,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// A builder flag such as `--from=build` or `--link`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// The whole `--name=value` word.
    pub span: Span,
    /// The name without dashes.
    pub name: String,
    pub name_span: Span,
    /// The value with quotes and escapes removed; `None` for `--name`.
    pub value: Option<String>,
    pub value_span: Option<Span>,
}

impl Flag {
    pub fn value_or_empty(&self) -> &str {
        self.value.as_deref().unwrap_or("")
    }
}

/// The joined text of an instruction (continuations removed, comment lines
/// dropped) and how each byte of it maps back to the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogicalLine {
    pub text: String,
    /// `(logical offset, source offset)` at the start of each piece.
    segments: Vec<(u32, u32)>,
}

impl LogicalLine {
    pub(crate) fn push(&mut self, piece: &str, source_offset: usize) {
        if piece.is_empty() {
            return;
        }
        self.segments
            .push((to_u32(self.text.len()), to_u32(source_offset)));
        self.text.push_str(piece);
    }

    /// The source offset of logical byte `offset` (an offset at the very end
    /// maps to just after the last byte).
    pub fn to_source(&self, offset: usize) -> u32 {
        let offset = to_u32(offset);
        let i = match self.segments.binary_search_by_key(&offset, |s| s.0) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        match self.segments.get(i) {
            Some(&(logical, source)) => source + (offset - logical.min(offset)),
            None => 0,
        }
    }

    /// The source span of the logical range `[start, end)`.
    pub fn span(&self, start: usize, end: usize) -> Span {
        if end <= start {
            let at = self.to_source(start);
            return Span::new(at, at);
        }
        // pieces are byte-for-byte copies of the source, so the last byte
        // maps to the last byte
        Span::new(self.to_source(start), self.to_source(end - 1) + 1)
    }

    /// The pieces `(logical_start, source_start, len)`.
    pub fn pieces(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.segments.iter().enumerate().map(|(i, &(l, s))| {
            let end = self
                .segments
                .get(i + 1)
                .map_or(self.text.len(), |n| n.0 as usize);
            (l as usize, s as usize, end - l as usize)
        })
    }
}

/// The arguments of `RUN`, `CMD`, `ENTRYPOINT` and `SHELL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Nothing after the keyword and flags.
    Empty,
    /// JSON exec form. Element texts are the decoded strings.
    Exec {
        args: Vec<Word>,
        /// From `[` to `]`.
        array: Span,
        /// Text after the array that BuildKit silently ignores.
        trailing: Option<Word>,
    },
    /// Shell form: the text goes to the shell.
    Shell {
        text: Word,
        /// Byte range of the text in the instruction's logical line.
        logical: (u32, u32),
        /// The text starts with `[` but is not a JSON array of strings, so
        /// BuildKit runs it through the shell (position in the logical line
        /// and why).
        json_error: Option<(u32, &'static str)>,
    },
}

impl Command {
    pub fn is_exec(&self) -> bool {
        matches!(self, Command::Exec { .. })
    }

    pub fn is_shell(&self) -> bool {
        matches!(self, Command::Shell { .. })
    }

    /// The whole argument text's span, if any.
    pub fn span(&self) -> Option<Span> {
        match self {
            Command::Empty => None,
            Command::Exec {
                array, trailing, ..
            } => Some(trailing.as_ref().map_or(*array, |t| array.cover(t.span))),
            Command::Shell { text, .. } => Some(text.span),
        }
    }
}

/// `FROM [--platform=…] image [AS name]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FromArgs {
    pub image: Option<Word>,
    pub as_keyword: Option<Word>,
    pub name: Option<Word>,
    /// Words that do not fit the form (BuildKit rejects them).
    pub extra: Vec<Word>,
}

/// `ENV`/`LABEL` pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// Raw key (quotes kept).
    pub key: Word,
    /// Raw value (quotes kept, not expanded).
    pub value: Word,
    /// Written as `KEY value` rather than `KEY=value`.
    pub legacy: bool,
    pub span: Span,
}

/// One name of an `ARG` instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArgDecl {
    pub name: Word,
    /// Raw default value (quotes kept, not expanded), `Some("")` for `X=`.
    pub value: Option<Word>,
    pub span: Span,
}

/// Arguments of `COPY`, `ADD` and `VOLUME`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// JSON form (element texts decoded).
    pub json: bool,
    pub words: Vec<Word>,
}

/// `HEALTHCHECK NONE` or `HEALTHCHECK [opts] CMD …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Healthcheck {
    Empty,
    None(Word),
    Cmd {
        keyword: Word,
        command: Command,
    },
    /// Neither `NONE` nor `CMD` (BuildKit rejects it).
    Other {
        word: Word,
        command: Command,
    },
}

/// The arguments of an instruction, by kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Args {
    None,
    From(FromArgs),
    Command(Command),
    Paths(Paths),
    Pairs(Vec<Pair>),
    Arg(Vec<ArgDecl>),
    /// `EXPOSE`: whitespace-separated words.
    Words(Vec<Word>),
    /// `MAINTAINER`, `USER`, `WORKDIR`, `STOPSIGNAL`: the rest of the line.
    Text(Word),
    Healthcheck(Healthcheck),
    Onbuild(Box<Instruction>),
    /// An unknown instruction's text.
    Unknown(Option<Word>),
}

/// A heredoc attached to `RUN`, `COPY` or `ADD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    /// `3<<EOF` gives 3.
    pub fd: Option<u32>,
    /// Variables expand in the body (the name was not quoted).
    pub expand: bool,
    /// `<<-`: leading tabs are stripped.
    pub chomp: bool,
    /// The body as BuildKit keeps it: raw lines, line endings included.
    pub content: String,
    /// The `<<NAME` word in the instruction line.
    pub marker: Span,
    /// The body lines.
    pub body: Span,
    /// The terminator line.
    pub terminator: Span,
}

impl Heredoc {
    /// The body as the build sees it (`<<-` tabs stripped).
    pub fn effective_content(&self) -> String {
        if !self.chomp {
            return self.content.clone();
        }
        let mut out = String::with_capacity(self.content.len());
        for line in self.content.split_inclusive('\n') {
            out.push_str(line.trim_start_matches('\t'));
        }
        out
    }
}

/// One instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub kind: Kind,
    /// The keyword as written.
    pub keyword: Word,
    /// From the keyword to the end of the last line (heredocs included).
    pub span: Span,
    /// 1-based first line.
    pub start_line: u32,
    /// 1-based last line, heredoc bodies and terminators included.
    pub end_line: u32,
    pub logical: LogicalLine,
    pub flags: Vec<Flag>,
    pub args: Args,
    pub heredocs: Vec<Heredoc>,
}

impl Instruction {
    /// The first flag named `name`.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// All flags named `name`.
    pub fn flags_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Flag> + 'a {
        self.flags.iter().filter(move |f| f.name == name)
    }

    /// The command of `RUN`, `CMD`, `ENTRYPOINT`, `SHELL` or a healthcheck.
    pub fn command(&self) -> Option<&Command> {
        match &self.args {
            Args::Command(c) => Some(c),
            Args::Healthcheck(Healthcheck::Cmd { command, .. }) => Some(command),
            _ => None,
        }
    }

    /// The instruction wrapped by `ONBUILD`.
    pub fn onbuild_body(&self) -> Option<&Instruction> {
        match &self.args {
            Args::Onbuild(inner) => Some(inner),
            _ => None,
        }
    }

    /// The span of the instruction's first line only (keyword to line end),
    /// for reports that should stay on one line.
    pub fn head_span(&self, text: &str) -> Span {
        let start = self.keyword.span.start as usize;
        let end = text
            .get(start..)
            .and_then(|t| t.find(['\n', '\r']))
            .map_or(text.len(), |i| start + i);
        Span::new(
            self.keyword.span.start,
            to_u32(end.min(self.span.end as usize)),
        )
    }
}
