//! One logical line into keyword, flags and arguments, following BuildKit's
//! `splitCommand`, `extractBuilderFlags` and per-instruction line parsers,
//! with spans for every piece.

use super::json::{ArrayParse, parse_array};
use super::tree::*;
use crate::source::Span;

/// A logical line read into its parts.
pub(crate) struct ParsedLine {
    pub kind: Kind,
    pub keyword: Word,
    pub flags: Vec<Flag>,
    pub args: Args,
}

impl ParsedLine {
    /// Whether BuildKit looks for heredocs in this instruction.
    pub fn can_contain_heredoc(&self) -> bool {
        let (kind, args) = match &self.args {
            Args::Onbuild(inner) => (inner.kind, &inner.args),
            _ => (self.kind, &self.args),
        };
        let json = match args {
            Args::Command(c) => c.is_exec(),
            Args::Paths(p) => p.json,
            _ => false,
        };
        matches!(kind, Kind::Run | Kind::Copy | Kind::Add) && !json
    }
}

/// Go's `unicode.IsSpace` on a single byte (as `extractBuilderFlags` and
/// `parseHealthConfig` apply it, byte by byte).
fn is_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0)
}

/// `[\t\v\f\r ]`
fn is_token_ws(b: u8) -> bool {
    matches!(b, b'\t' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Trims Unicode whitespace from both ends of `text[lo..hi]`.
fn trim(text: &str, lo: usize, hi: usize) -> (usize, usize) {
    let s = text.get(lo..hi).unwrap_or("");
    let start = lo + (s.len() - s.trim_start().len());
    let end = lo + s.trim_end().len();
    (start, end.max(start))
}

/// Splits `text[lo..hi]` on runs of `[\t\v\f\r ]`, like Go's
/// `regexp.Split(s, -1)` (empty pieces at the ends kept).
fn split_ws(text: &str, lo: usize, hi: usize) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = lo;
    let mut i = lo;
    while i < hi {
        if is_token_ws(b[i]) {
            let mut j = i;
            while j < hi && is_token_ws(b[j]) {
                j += 1;
            }
            out.push((start, i));
            start = j;
            i = j;
        } else {
            i += 1;
        }
    }
    out.push((start, hi));
    out
}

struct Ctx<'a> {
    line: &'a LogicalLine,
    escape: char,
    errors: &'a mut Vec<ParseError>,
}

impl Ctx<'_> {
    fn text(&self) -> &str {
        &self.line.text
    }

    fn span(&self, lo: usize, hi: usize) -> Span {
        self.line.span(lo, hi)
    }

    fn word(&self, lo: usize, hi: usize) -> Word {
        Word::new(self.text().get(lo..hi).unwrap_or(""), self.span(lo, hi))
    }

    fn error(&mut self, kind: ParseErrorKind, lo: usize, hi: usize, message: String) {
        let span = self.span(lo, hi);
        self.errors.push(ParseError {
            kind,
            span,
            message,
            help: None,
        });
    }
}

/// Parses `line.text[start..]` (the whole line, or the part after `ONBUILD`).
pub(crate) fn parse_line(
    line: &LogicalLine,
    start: usize,
    escape: char,
    errors: &mut Vec<ParseError>,
) -> ParsedLine {
    let mut cx = Ctx {
        line,
        escape,
        errors,
    };
    let text = line.text.as_str();
    let (lo, hi) = trim(text, start, text.len());
    let b = text.as_bytes();
    let mut kw_end = lo;
    while kw_end < hi && !is_token_ws(b[kw_end]) {
        kw_end += 1;
    }
    let keyword = cx.word(lo, kw_end);
    let kind = Kind::from_keyword(&keyword.text);
    let mut rest = kw_end;
    while rest < hi && is_token_ws(b[rest]) {
        rest += 1;
    }
    let (flags, args_start) = if kw_end < hi {
        extract_flags(&cx, rest, hi)
    } else {
        (Vec::new(), hi)
    };
    let (alo, ahi) = trim(text, args_start, hi);
    let args = match kind {
        Kind::Add | Kind::Copy | Kind::Volume => parse_list(&mut cx, alo, ahi),
        Kind::Arg => Args::Arg(parse_arg(&cx, alo, ahi)),
        Kind::Cmd | Kind::Entrypoint | Kind::Run | Kind::Shell => {
            Args::Command(parse_command(&mut cx, alo, ahi))
        }
        Kind::Env | Kind::Label => Args::Pairs(parse_pairs(&mut cx, kind, alo, ahi)),
        Kind::Expose => Args::Words(whitespace_words(&cx, alo, ahi)),
        Kind::From => Args::From(parse_from(&cx, alo, ahi)),
        Kind::Healthcheck => Args::Healthcheck(parse_healthcheck(&mut cx, alo, ahi)),
        Kind::Maintainer | Kind::StopSignal | Kind::User | Kind::Workdir => {
            if alo < ahi {
                Args::Text(cx.word(alo, ahi))
            } else {
                Args::None
            }
        }
        Kind::Onbuild => {
            if alo < ahi {
                let inner = parse_line(line, alo, escape, cx.errors);
                let inner_span = cx.span(alo, ahi);
                Args::Onbuild(Box::new(Instruction {
                    kind: inner.kind,
                    keyword: inner.keyword,
                    span: inner_span,
                    start_line: 0,
                    end_line: 0,
                    logical: line.clone(),
                    flags: inner.flags,
                    args: inner.args,
                    heredocs: Vec::new(),
                }))
            } else {
                Args::None
            }
        }
        Kind::Unknown => Args::Unknown((alo < ahi).then(|| cx.word(alo, ahi))),
    };
    ParsedLine {
        kind,
        keyword,
        flags,
        args,
    }
}

/// BuildKit's `extractBuilderFlags` over `text[lo..hi]`: returns the flags
/// and where the arguments start.
fn extract_flags(cx: &Ctx<'_>, lo: usize, hi: usize) -> (Vec<Flag>, usize) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let b = cx.text().as_bytes();
    let mut flags = Vec::new();
    let mut phase = Phase::Spaces;
    let mut word: Vec<u8> = Vec::new();
    let mut word_start = lo;
    let mut eq_at: Option<(usize, usize)> = None; // (index in word, raw position)
    let mut quote = 0u8;
    let mut blank_ok = false;
    let mut pos = lo;
    let finish = |word: &[u8],
                  start: usize,
                  end: usize,
                  eq: Option<(usize, usize)>,
                  flags: &mut Vec<Flag>| {
        let decoded = String::from_utf8_lossy(word).into_owned();
        let body = decoded.strip_prefix("--").unwrap_or(&decoded).to_string();
        let (name, value, name_end, value_span) = match eq {
            Some((i, raw)) => {
                let name = String::from_utf8_lossy(word.get(2..i).unwrap_or(b"")).into_owned();
                let value = String::from_utf8_lossy(word.get(i + 1..).unwrap_or(b"")).into_owned();
                (name, Some(value), raw, Some(cx.span(raw + 1, end)))
            }
            None => (body, None, end, None),
        };
        flags.push(Flag {
            span: cx.span(start, end),
            name,
            name_span: cx.span((start + 2).min(name_end), name_end),
            value,
            value_span,
        });
    };
    loop {
        let at_end = pos >= hi;
        let ch = if at_end { 0 } else { b[pos] };
        if phase == Phase::Spaces {
            if at_end {
                break;
            }
            if is_space_byte(ch) {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 == hi || b[pos + 1] != b'-' {
                return (flags, pos);
            }
            phase = Phase::Word;
            word_start = pos;
            word.clear();
            eq_at = None;
            blank_ok = false;
        }
        if at_end {
            if word != b"--" && (blank_ok || !word.is_empty()) {
                finish(&word, word_start, pos, eq_at, &mut flags);
            }
            break;
        }
        if phase == Phase::Word {
            if is_space_byte(ch) {
                phase = Phase::Spaces;
                if word == b"--" {
                    return (flags, pos);
                }
                if blank_ok || !word.is_empty() {
                    finish(&word, word_start, pos, eq_at, &mut flags);
                }
                word.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            let mut c = ch;
            if c == b'\\' {
                if pos + 1 == hi {
                    pos += 1;
                    continue;
                }
                pos += 1;
                c = b[pos];
            }
            if c == b'=' && eq_at.is_none() {
                eq_at = Some((word.len(), pos));
            }
            word.push(c);
            pos += 1;
            continue;
        }
        // in a quote
        if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        let mut c = ch;
        if c == b'\\' {
            if pos + 1 == hi {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            pos += 1;
            c = b[pos];
        }
        if c == b'=' && eq_at.is_none() {
            eq_at = Some((word.len(), pos));
        }
        word.push(c);
        pos += 1;
    }
    (flags, hi)
}

/// `parseStringsWhitespaceDelimited`
fn whitespace_words(cx: &Ctx<'_>, lo: usize, hi: usize) -> Vec<Word> {
    if lo >= hi {
        return Vec::new();
    }
    split_ws(cx.text(), lo, hi)
        .into_iter()
        .map(|(s, e)| cx.word(s, e))
        .collect()
}

fn parse_from(cx: &Ctx<'_>, lo: usize, hi: usize) -> FromArgs {
    let mut words = whitespace_words(cx, lo, hi).into_iter();
    let image = words.next();
    let rest: Vec<Word> = words.collect();
    if rest.len() == 2 && rest[0].text.eq_ignore_ascii_case("as") {
        let mut it = rest.into_iter();
        FromArgs {
            image,
            as_keyword: it.next(),
            name: it.next(),
            extra: Vec::new(),
        }
    } else {
        FromArgs {
            image,
            as_keyword: None,
            name: None,
            extra: rest,
        }
    }
}

/// `parseMaybeJSON`
fn parse_command(cx: &mut Ctx<'_>, lo: usize, hi: usize) -> Command {
    if lo >= hi {
        return Command::Empty;
    }
    let text = cx.text().get(lo..hi).unwrap_or("").to_string();
    match parse_array(&text) {
        ArrayParse::Strings { elements, end } => {
            let args = elements
                .into_iter()
                .map(|e| Word::new(e.value, cx.span(lo + e.start, lo + e.end)))
                .collect();
            let (tlo, thi) = trim(cx.text(), lo + end, hi);
            Command::Exec {
                args,
                array: cx.span(lo, lo + end),
                trailing: (tlo < thi).then(|| cx.word(tlo, thi)),
            }
        }
        ArrayParse::NotStrings { offset } => {
            not_strings(cx, lo + offset, hi);
            Command::Shell {
                text: cx.word(lo, hi),
                logical: (lo as u32, hi as u32),
                json_error: None,
            }
        }
        ArrayParse::Invalid { offset, reason } => Command::Shell {
            text: cx.word(lo, hi),
            logical: (lo as u32, hi as u32),
            json_error: text
                .starts_with('[')
                .then_some(((lo + offset) as u32, reason)),
        },
    }
}

fn not_strings(cx: &mut Ctx<'_>, at: usize, hi: usize) {
    let end = cx.text()[at..hi]
        .find([',', ']'])
        .map_or(hi, |i| at + i)
        .max(at + 1)
        .min(hi);
    cx.error(
        ParseErrorKind::NotStringArray,
        at,
        end,
        "when using JSON array syntax, arrays must be comprised of strings only".to_string(),
    );
}

/// `parseMaybeJSONToList`
fn parse_list(cx: &mut Ctx<'_>, lo: usize, hi: usize) -> Args {
    let text = cx.text().get(lo..hi).unwrap_or("").to_string();
    match parse_array(&text) {
        ArrayParse::Strings { elements, .. } => Args::Paths(Paths {
            json: true,
            words: elements
                .into_iter()
                .map(|e| Word::new(e.value, cx.span(lo + e.start, lo + e.end)))
                .collect(),
        }),
        ArrayParse::NotStrings { offset } => {
            not_strings(cx, lo + offset, hi);
            Args::Paths(Paths {
                json: false,
                words: whitespace_words(cx, lo, hi),
            })
        }
        ArrayParse::Invalid { .. } => Args::Paths(Paths {
            json: false,
            words: whitespace_words(cx, lo, hi),
        }),
    }
}

/// `parseHealthConfig`
fn parse_healthcheck(cx: &mut Ctx<'_>, lo: usize, hi: usize) -> Healthcheck {
    let b = cx.text().as_bytes();
    let mut sep = lo;
    while sep < hi && !is_space_byte(b[sep]) {
        sep += 1;
    }
    if sep == lo {
        return Healthcheck::Empty;
    }
    let mut next = sep;
    while next < hi && is_space_byte(b[next]) {
        next += 1;
    }
    let word = cx.word(lo, sep);
    let command = parse_command(cx, next, hi);
    if word.text.eq_ignore_ascii_case("none") {
        Healthcheck::None(word)
    } else if word.text.eq_ignore_ascii_case("cmd") {
        Healthcheck::Cmd {
            keyword: word,
            command,
        }
    } else {
        Healthcheck::Other { word, command }
    }
}

/// BuildKit's `parseWords`: splits on whitespace, keeping quotes and escapes
/// in the words. Returns `(start, end)` ranges.
fn parse_words(cx: &Ctx<'_>, lo: usize, hi: usize) -> Vec<(usize, usize)> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let text = cx.text();
    let escape = cx.escape;
    let mut out = Vec::new();
    let mut phase = Phase::Spaces;
    let mut start = lo;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut has_chars = false;
    let mut pos = lo;
    loop {
        let ch = if pos < hi {
            text[pos..].chars().next()
        } else {
            None
        };
        let width = ch.map_or(1, char::len_utf8);
        if phase == Phase::Spaces {
            let Some(c) = ch else { break };
            if c.is_whitespace() {
                pos += width;
                continue;
            }
            phase = Phase::Word;
            start = pos;
            has_chars = false;
            blank_ok = false;
        }
        let Some(c) = ch else {
            if blank_ok || has_chars {
                out.push((start, pos));
            }
            break;
        };
        if phase == Phase::Word {
            if c.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || has_chars {
                    out.push((start, pos));
                }
                pos += width;
                continue;
            }
            if c == '\'' || c == '"' {
                quote = c;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if c == escape {
                if pos + width == hi {
                    pos += width;
                    continue;
                }
                pos += width;
                let w2 = text[pos..].chars().next().map_or(1, char::len_utf8);
                pos += w2;
                has_chars = true;
                continue;
            }
            has_chars = true;
            pos += width;
            continue;
        }
        // in a quote
        if c == quote {
            phase = Phase::Word;
        }
        if c == escape && quote != '\'' {
            if pos + width == hi {
                phase = Phase::Word;
                pos += width;
                continue;
            }
            pos += width;
            let w2 = text[pos..].chars().next().map_or(1, char::len_utf8);
            pos += w2;
            has_chars = true;
            continue;
        }
        has_chars = true;
        pos += width;
    }
    out
}

fn parse_arg(cx: &Ctx<'_>, lo: usize, hi: usize) -> Vec<ArgDecl> {
    parse_words(cx, lo, hi)
        .into_iter()
        .map(|(s, e)| {
            let raw = &cx.text()[s..e];
            match raw.find('=') {
                Some(i) => ArgDecl {
                    name: cx.word(s, s + i),
                    value: Some(cx.word(s + i + 1, e)),
                    span: cx.span(s, e),
                },
                None => ArgDecl {
                    name: cx.word(s, e),
                    value: None,
                    span: cx.span(s, e),
                },
            }
        })
        .collect()
}

/// `parseNameVal` for `ENV` and `LABEL`.
fn parse_pairs(cx: &mut Ctx<'_>, kind: Kind, lo: usize, hi: usize) -> Vec<Pair> {
    let words = parse_words(cx, lo, hi);
    let Some(&(first_s, first_e)) = words.first() else {
        return Vec::new();
    };
    if !cx.text()[first_s..first_e].contains('=') {
        let parts = split_ws(cx.text(), lo, hi);
        let Some(&(ks, ke)) = parts.first() else {
            return Vec::new();
        };
        if parts.len() < 2 {
            cx.error(
                ParseErrorKind::MissingValue,
                ks,
                ke,
                format!("{} must have two arguments", kind.name()),
            );
            return vec![Pair {
                key: cx.word(ks, ke),
                value: cx.word(ke, ke),
                legacy: true,
                span: cx.span(ks, ke),
            }];
        }
        let vs = parts[1].0;
        return vec![Pair {
            key: cx.word(ks, ke),
            value: cx.word(vs, hi),
            legacy: true,
            span: cx.span(ks, hi),
        }];
    }
    let mut out = Vec::new();
    for (s, e) in words {
        let raw = &cx.text()[s..e];
        match raw.find('=') {
            Some(i) => out.push(Pair {
                key: cx.word(s, s + i),
                value: cx.word(s + i + 1, e),
                legacy: false,
                span: cx.span(s, e),
            }),
            None => {
                cx.error(
                    ParseErrorKind::MissingEquals,
                    s,
                    e,
                    format!(
                        "Syntax error - can't find = in {raw:?}. Must be of the form: name=value"
                    ),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> LogicalLine {
        let mut l = LogicalLine::default();
        l.push(text, 0);
        l
    }

    fn parse(text: &str) -> (ParsedLine, Vec<ParseError>) {
        let l = line(text);
        let mut errors = Vec::new();
        let p = parse_line(&l, 0, '\\', &mut errors);
        (p, errors)
    }

    #[test]
    fn flags_with_values_quotes_and_bare_flags() {
        let (p, _) = parse("COPY --from=build --chmod=\"0755\" --link src dst");
        let names: Vec<_> = p.flags.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["from", "chmod", "link"]);
        assert_eq!(p.flags[1].value.as_deref(), Some("0755"));
        assert_eq!(p.flags[2].value, None);
        assert_eq!(p.flags[0].value_span, Some(Span::new(12, 17)));
        assert_eq!(p.flags[0].name_span, Span::new(7, 11));
        let Args::Paths(paths) = p.args else { panic!() };
        assert_eq!(paths.words[0].text, "src");
        assert_eq!(paths.words[0].span, Span::new(40, 43));
    }

    #[test]
    fn double_dash_ends_flags() {
        let (p, _) = parse("RUN --network=none -- --not-a-flag");
        assert_eq!(p.flags.len(), 1);
        let Args::Command(Command::Shell { text, .. }) = p.args else {
            panic!()
        };
        assert_eq!(text.text, "--not-a-flag");
    }

    #[test]
    fn exec_and_shell_forms() {
        let (p, _) = parse(r#"CMD ["nginx", "-g", "daemon off;"]"#);
        let Args::Command(Command::Exec { args, .. }) = p.args else {
            panic!()
        };
        assert_eq!(args[2].text, "daemon off;");
        let (p, _) = parse("CMD ['nginx']");
        let Args::Command(Command::Shell { json_error, .. }) = p.args else {
            panic!()
        };
        assert!(json_error.is_some());
        let (p, errors) = parse(r#"CMD ["a", 1]"#);
        assert!(p.args != Args::None);
        assert_eq!(errors[0].kind, ParseErrorKind::NotStringArray);
    }

    #[test]
    fn env_forms() {
        let (p, errors) = parse(r#"ENV A=1 B="two words" C="#);
        assert!(errors.is_empty());
        let Args::Pairs(pairs) = p.args else { panic!() };
        assert_eq!(pairs.len(), 3);
        assert_eq!(pairs[1].value.text, "\"two words\"");
        assert_eq!(pairs[2].value.text, "");
        let (p, _) = parse("ENV PATH /usr/bin:$PATH and more");
        let Args::Pairs(pairs) = p.args else { panic!() };
        assert!(pairs[0].legacy);
        assert_eq!(pairs[0].value.text, "/usr/bin:$PATH and more");
        let (_, errors) = parse("ENV LONELY");
        assert_eq!(errors[0].message, "ENV must have two arguments");
        let (_, errors) = parse("LABEL a=1 b");
        assert_eq!(errors[0].kind, ParseErrorKind::MissingEquals);
    }

    #[test]
    fn arg_forms() {
        let (p, _) = parse("ARG A B=2 C= \"D\"=x");
        let Args::Arg(decls) = p.args else { panic!() };
        let names: Vec<_> = decls.iter().map(|d| d.name.text.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "\"D\""]);
        assert_eq!(decls[2].value.as_ref().unwrap().text, "");
    }

    #[test]
    fn from_with_alias_and_onbuild() {
        let (p, _) = parse("from --platform=$BUILDPLATFORM golang:1.22 As build");
        assert_eq!(p.kind, Kind::From);
        let Args::From(f) = p.args else { panic!() };
        assert_eq!(f.image.unwrap().text, "golang:1.22");
        assert_eq!(f.name.unwrap().text, "build");
        let (p, _) = parse("ONBUILD RUN --mount=type=cache,target=/x make");
        let Args::Onbuild(inner) = &p.args else {
            panic!()
        };
        assert_eq!(inner.kind, Kind::Run);
        assert_eq!(inner.flags[0].name, "mount");
        assert!(p.can_contain_heredoc());
    }

    #[test]
    fn healthcheck_forms() {
        let (p, _) = parse("HEALTHCHECK --interval=5s CMD curl -f http://x/");
        assert_eq!(p.flags[0].name, "interval");
        let Args::Healthcheck(Healthcheck::Cmd { command, .. }) = p.args else {
            panic!()
        };
        assert!(command.is_shell());
        let (p, _) = parse("HEALTHCHECK NONE");
        assert!(matches!(p.args, Args::Healthcheck(Healthcheck::None(_))));
    }
}
