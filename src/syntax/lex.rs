//! BuildKit's word lexer: quote removal, word splitting and variable
//! expansion (`$V`, `${V}`, `${V:-x}`, `${V-x}`, `${V:+x}`, `${V+x}`,
//! `${V:?msg}`, `${V?msg}`, `${V#p}`, `${V##p}`, `${V%p}`, `${V%%p}`,
//! `${V/p/r}`, `${V//p/r}`).
//!
//! It follows the behaviour of BuildKit's `shell.Lex` closely, quirks
//! included, because the parser uses it to find heredocs and the build model
//! uses it to expand `ARG`/`ENV` values exactly as a build would.

use std::collections::BTreeSet;
use std::fmt;

/// Variables visible to an expansion.
pub trait Env {
    /// The value of `name`, or `None` when it is not set.
    fn get(&self, name: &str) -> Option<&str>;
}

/// No variables at all.
pub struct NoEnv;

impl Env for NoEnv {
    fn get(&self, _: &str) -> Option<&str> {
        None
    }
}

impl Env for [(String, String)] {
    fn get(&self, name: &str) -> Option<&str> {
        self.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Env for Vec<(String, String)> {
    fn get(&self, name: &str) -> Option<&str> {
        Env::get(self.as_slice(), name)
    }
}

impl Env for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        std::collections::HashMap::get(self, name).map(String::as_str)
    }
}

impl Env for std::collections::BTreeMap<String, String> {
    fn get(&self, name: &str) -> Option<&str> {
        std::collections::BTreeMap::get(self, name).map(String::as_str)
    }
}

/// An expansion that BuildKit would reject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub message: String,
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LexError {}

fn err<T>(message: impl Into<String>) -> Result<T, LexError> {
    Err(LexError {
        message: message.into(),
    })
}

/// What one expansion produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Processed {
    /// The expanded text, quotes removed (unless `raw_quotes`).
    pub result: String,
    /// The expanded text split into words the way BuildKit splits it.
    pub words: Vec<String>,
    /// Variables that were referenced and set.
    pub matched: BTreeSet<String>,
    /// Variables that were referenced and not set.
    pub unmatched: BTreeSet<String>,
}

/// Lexer settings, named after BuildKit's.
#[derive(Clone, Copy, Debug)]
pub struct Lex {
    pub escape: char,
    pub raw_quotes: bool,
    pub raw_escapes: bool,
    pub skip_process_quotes: bool,
    pub skip_unset_env: bool,
}

impl Lex {
    pub fn new(escape: char) -> Self {
        Lex {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset_env: false,
        }
    }

    /// Expands `word` with `env`.
    pub fn process(&self, word: &str, env: &dyn Env) -> Result<Processed, LexError> {
        let mut sw = ShellWord {
            lex: *self,
            src: word,
            pos: 0,
            env,
            raw_escapes: self.raw_escapes,
            words_buf: String::new(),
            matched: BTreeSet::new(),
            unmatched: BTreeSet::new(),
            depth: 0,
        };
        let raw = sw.raw_escapes;
        let (result, words) = sw.process_stop_on(None, raw)?;
        Ok(Processed {
            result,
            words,
            matched: sw.matched,
            unmatched: sw.unmatched,
        })
    }

    /// Expands `word` and returns the text only.
    pub fn expand(&self, word: &str, env: &dyn Env) -> Result<String, LexError> {
        self.process(word, env).map(|p| p.result)
    }

    /// Expands `word` and returns its words.
    pub fn words(&self, word: &str, env: &dyn Env) -> Result<Vec<String>, LexError> {
        self.process(word, env).map(|p| p.words)
    }
}

/// Nested `${...}` deeper than this is rejected instead of recursing further.
const MAX_DEPTH: u32 = 128;

struct ShellWord<'a> {
    lex: Lex,
    src: &'a str,
    pos: usize,
    env: &'a dyn Env,
    raw_escapes: bool,
    /// Shared between nested calls, as BuildKit's is.
    words_buf: String,
    matched: BTreeSet<String>,
    unmatched: BTreeSet<String>,
    depth: u32,
}

#[derive(Default)]
struct Words {
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, buf: &mut String, ch: char) {
        if ch.is_whitespace() && self.in_word {
            if !buf.is_empty() {
                self.words.push(std::mem::take(buf));
                self.in_word = false;
            }
        } else if !ch.is_whitespace() {
            self.add_raw_char(buf, ch);
        }
    }

    fn add_raw_char(&mut self, buf: &mut String, ch: char) {
        buf.push(ch);
        self.in_word = true;
    }

    fn add_string(&mut self, buf: &mut String, s: &str) {
        for ch in s.chars() {
            self.add_char(buf, ch);
        }
    }

    fn add_raw_string(&mut self, buf: &mut String, s: &str) {
        buf.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self, buf: &mut String) -> Vec<String> {
        if !buf.is_empty() {
            self.words.push(std::mem::take(buf));
        }
        self.words
    }
}

impl ShellWord<'_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..)?.chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), LexError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err("substitutions nested too deeply");
        }
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let out = self.process_stop_on_inner(stop);
        self.raw_escapes = saved;
        self.depth -= 1;
        out
    }

    fn process_stop_on_inner(
        &mut self,
        stop: Option<char>,
    ) -> Result<(String, Vec<String>), LexError> {
        let mut result = String::new();
        self.words_buf.clear();
        let mut words = Words::default();
        let quotes = !self.lex.skip_process_quotes;

        while let Some(ch) = self.peek() {
            if stop == Some(ch) {
                self.next();
                let mut buf = std::mem::take(&mut self.words_buf);
                let w = words.finish(&mut buf);
                self.words_buf = buf;
                return Ok((result, w));
            }
            let special = match ch {
                '$' => Some(self.process_dollar()?),
                '<' => Some(self.process_possible_heredoc()),
                '\'' if quotes => Some(self.process_single_quote()?),
                '"' if quotes => Some(self.process_double_quote()?),
                _ => None,
            };
            let mut buf = std::mem::take(&mut self.words_buf);
            if let Some(tmp) = special {
                result.push_str(&tmp);
                if ch == '$' {
                    words.add_string(&mut buf, &tmp);
                } else {
                    words.add_raw_string(&mut buf, &tmp);
                }
                self.words_buf = buf;
                continue;
            }
            let mut ch = self.next().unwrap_or(ch);
            if ch == self.lex.escape {
                if self.raw_escapes {
                    words.add_raw_char(&mut buf, ch);
                    result.push(ch);
                }
                match self.next() {
                    None => {
                        self.words_buf = buf;
                        break;
                    }
                    Some(c) => ch = c,
                }
                words.add_raw_char(&mut buf, ch);
            } else {
                words.add_char(&mut buf, ch);
            }
            result.push(ch);
            self.words_buf = buf;
        }
        if let Some(stop) = stop {
            return err(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        let mut buf = std::mem::take(&mut self.words_buf);
        let w = words.finish(&mut buf);
        self.words_buf = buf;
        Ok((result, w))
    }

    fn process_single_quote(&mut self) -> Result<String, LexError> {
        let mut result = String::new();
        let open = self.next();
        if self.lex.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return err(
                        "unexpected end of statement while looking for matching single-quote",
                    );
                }
                Some('\'') => {
                    if self.lex.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(c) => result.push(c),
            }
        }
    }

    fn process_double_quote(&mut self) -> Result<String, LexError> {
        let mut result = String::new();
        let open = self.next();
        if self.lex.raw_quotes {
            result.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return err(
                        "unexpected end of statement while looking for matching double-quote",
                    );
                }
                Some('"') => {
                    self.next();
                    if self.lex.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let v = self.process_dollar()?;
                    result.push_str(&v);
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or_default();
                    if ch == self.lex.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some(c) if c == '"' || c == '$' || c == self.lex.escape => {
                                ch = c;
                                self.next();
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn process_possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".to_string();
        }
        self.next();
        let mut result = String::from("<<");
        while let Some(c @ ('\t' | '\r' | ' ')) = self.peek() {
            result.push(c);
            self.next();
        }
        result
    }

    fn get_env(&mut self, name: &str) -> Option<String> {
        match self.env.get(name) {
            Some(v) => {
                self.matched.insert(name.to_string());
                Some(v.to_string())
            }
            None => {
                self.unmatched.insert(name.to_string());
                None
            }
        }
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(d) = self.peek().filter(|c| is_digit(*c)) {
                    name.push(d);
                    self.next();
                }
                return name;
            }
            if name.is_empty() && is_special_param(ch) {
                self.next();
                return ch.to_string();
            }
            if !ch.is_alphabetic() && !is_digit(ch) && ch != '_' {
                break;
            }
            name.push(ch);
            self.next();
        }
        name
    }

    fn process_dollar(&mut self) -> Result<String, LexError> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            return Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.lex.skip_unset_env => format!("${name}"),
                None => String::new(),
            });
        }
        self.next();
        match self.peek() {
            None => return err("syntax error: missing '}'"),
            Some('{' | '}' | ':') => return err("syntax error: bad substitution"),
            Some(_) => {}
        }
        let name = self.process_name();
        let Some(mut ch) = self.next() else {
            return err("syntax error: missing '}'");
        };
        let mut chs = ch.to_string();
        let mut null_is_unset = false;
        match ch {
            '}' => Ok(match self.get_env(&name) {
                Some(v) => v,
                None if self.lex.skip_unset_env => format!("${{{name}}}"),
                None => String::new(),
            }),
            ':' | '+' | '-' | '?' | '#' | '%' => {
                if ch == ':' {
                    null_is_unset = true;
                    match self.next() {
                        Some(c) => {
                            ch = c;
                            chs.push(c);
                        }
                        None => return err("syntax error: missing '}'"),
                    }
                }
                let raw = ch == '#' || ch == '%';
                if null_is_unset && raw {
                    return err(format!("unsupported modifier ({chs}) in substitution"));
                }
                let word = match self.process_stop_on(Some('}'), raw) {
                    Ok((w, _)) => w,
                    Err(_) if self.peek().is_none() => return err("syntax error: missing '}'"),
                    Err(e) => return Err(e),
                };
                let value = self.get_env(&name);
                if self.lex.skip_unset_env && value.is_none() {
                    return Ok(format!("${{{name}{chs}{word}}}"));
                }
                let set = value.is_some();
                let value = value.unwrap_or_default();
                match ch {
                    '-' => Ok(if !set || (null_is_unset && value.is_empty()) {
                        word
                    } else {
                        value
                    }),
                    '+' => Ok(if !set || (null_is_unset && value.is_empty()) {
                        String::new()
                    } else {
                        word
                    }),
                    '?' => {
                        if !set {
                            let msg = if word.is_empty() {
                                "is not allowed to be unset".to_string()
                            } else {
                                word
                            };
                            return err(format!("{name}: {msg}"));
                        }
                        if null_is_unset && value.is_empty() {
                            let msg = if word.is_empty() {
                                "is not allowed to be empty".to_string()
                            } else {
                                word
                            };
                            return err(format!("{name}: {msg}"));
                        }
                        Ok(value)
                    }
                    '%' | '#' => {
                        let (pattern, greedy) = match word.strip_prefix(ch) {
                            Some(rest) => (rest.to_string(), true),
                            None => (word, false),
                        };
                        if ch == '%' {
                            trim_suffix(&pattern, &value, greedy)
                        } else {
                            trim_prefix(&pattern, &value, greedy)
                        }
                    }
                    _ => err(format!("unsupported modifier ({chs}) in substitution")),
                }
            }
            '/' => {
                let replace_all = self.peek() == Some('/');
                if replace_all {
                    self.next();
                }
                let pattern = match self.process_stop_on(Some('/'), true) {
                    Ok((w, _)) => w,
                    Err(_) if self.peek().is_none() => {
                        return err("syntax error: missing '/' in ${}");
                    }
                    Err(e) => return Err(e),
                };
                let replacement = match self.process_stop_on(Some('}'), true) {
                    Ok((w, _)) => w,
                    Err(_) if self.peek().is_none() => return err("syntax error: missing '}'"),
                    Err(e) => return Err(e),
                };
                let Some(value) = self.get_env(&name) else {
                    if self.lex.skip_unset_env {
                        return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
                    }
                    return Ok(String::new());
                };
                let pat = Pattern::compile(&pattern).map_err(|e| LexError {
                    message: format!("invalid pattern ({pattern}) in substitution: {e}"),
                })?;
                Ok(pat.replace(&value, &replacement, replace_all))
            }
            _ => err(format!("unsupported modifier ({chs}) in substitution")),
        }
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

fn is_special_param(c: char) -> bool {
    matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Any,
    Star,
}

/// A shell pattern as BuildKit reads it: `*`, `?`, `\*`, `\?`, `\\`, and
/// `\}`/`\/` (the backslash dropped); no bracket expressions.
struct Pattern {
    toks: Vec<Tok>,
}

impl Pattern {
    fn compile(pattern: &str) -> Result<Pattern, String> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut toks = Vec::with_capacity(chars.len());
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            i += 1;
            match c {
                '*' => toks.push(Tok::Star),
                '?' => toks.push(Tok::Any),
                '\\' => match chars.get(i) {
                    Some('}' | '/') => {}
                    Some(&n @ ('*' | '?' | '\\')) => {
                        toks.push(Tok::Lit(n));
                        i += 1;
                    }
                    Some(&n) => return Err(format!("invalid escape '\\{n}'")),
                    None => return Err("invalid escape '\\'".to_string()),
                },
                other => toks.push(Tok::Lit(other)),
            }
        }
        Ok(Pattern { toks })
    }

    /// All end positions (in chars) at which the pattern, started at
    /// `start`, matches `text`.
    fn ends(&self, text: &[char], start: usize) -> Vec<usize> {
        // states[j] = the pattern prefix of length j can end at this position
        let n = self.toks.len();
        let mut cur = vec![false; n + 1];
        cur[0] = true;
        close_stars(&self.toks, &mut cur);
        let mut ends = Vec::new();
        if cur[n] {
            ends.push(start);
        }
        for (k, &c) in text.iter().enumerate().skip(start) {
            let mut next = vec![false; n + 1];
            for j in 0..n {
                if !cur[j] {
                    continue;
                }
                match self.toks[j] {
                    Tok::Star => next[j] = true,
                    Tok::Any => next[j + 1] = true,
                    Tok::Lit(l) if l == c => next[j + 1] = true,
                    Tok::Lit(_) => {}
                }
            }
            close_stars(&self.toks, &mut next);
            if !next.iter().any(|b| *b) {
                break;
            }
            if next[n] {
                ends.push(k + 1);
            }
            cur = next;
        }
        ends
    }

    fn replace(&self, value: &str, replacement: &str, all: bool) -> String {
        let text: Vec<char> = value.chars().collect();
        if !all {
            for start in 0..=text.len() {
                if let Some(&end) = self.ends(&text, start).last() {
                    let mut out: String = text[..start].iter().collect();
                    out.push_str(replacement);
                    out.extend(&text[end..]);
                    return out;
                }
            }
            return value.to_string();
        }
        // Go's Regexp.ReplaceAllString, with `$` expansion in the template.
        let mut out = String::new();
        let mut last_end = 0usize;
        let mut search = 0usize;
        while search <= text.len() {
            let found =
                (search..=text.len()).find_map(|s| self.ends(&text, s).last().map(|&e| (s, e)));
            let Some((a0, a1)) = found else { break };
            out.extend(&text[last_end..a0]);
            if a1 > last_end || a0 == 0 {
                let matched: String = text[a0..a1].iter().collect();
                expand_template(&mut out, replacement, &matched);
            }
            last_end = a1;
            search = if search + 1 > a1 { search + 1 } else { a1 };
        }
        out.extend(&text[last_end.min(text.len())..]);
        out
    }
}

fn close_stars(toks: &[Tok], states: &mut [bool]) {
    for j in 0..toks.len() {
        if states[j] && toks[j] == Tok::Star {
            states[j + 1] = true;
        }
    }
}

/// `$0`/`${0}` is the match, `$$` a dollar, any other `$name` empty (the
/// pattern has no groups).
fn expand_template(out: &mut String, template: &str, matched: &str) {
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('$') {
            out.push('$');
            rest = r;
            continue;
        }
        let (name, after) = if let Some(r) = rest.strip_prefix('{') {
            match r.find('}') {
                Some(j) if r[..j].chars().all(|c| c.is_alphanumeric() || c == '_') && j > 0 => {
                    (&r[..j], &r[j + 1..])
                }
                _ => {
                    out.push('$');
                    continue;
                }
            }
        } else {
            let j = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if j == 0 {
                out.push('$');
                continue;
            }
            (&rest[..j], &rest[j..])
        };
        if name == "0" {
            out.push_str(matched);
        }
        rest = after;
    }
    out.push_str(rest);
}

fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, LexError> {
    let pat = Pattern::compile(pattern).map_err(|e| LexError {
        message: format!("invalid pattern ({pattern}) in substitution: {e}"),
    })?;
    let text: Vec<char> = value.chars().collect();
    let ends = pat.ends(&text, 0);
    let end = if greedy { ends.last() } else { ends.first() };
    Ok(match end {
        Some(&e) => text[e..].iter().collect(),
        None => value.to_string(),
    })
}

fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut units: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == '\\' && i + 1 < chars.len() {
            units.push(format!("\\{}", chars[i + 1]));
            i += 2;
        } else {
            units.push(c.to_string());
            i += 1;
        }
    }
    units.reverse();
    units.concat()
}

fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, LexError> {
    let rev: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reverse_pattern(pattern), &rev, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Vec<(String, String)> {
        [
            ("V", "value"),
            ("EMPTY", ""),
            ("PATH_", "/usr/local/bin/app.tar.gz"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn x(word: &str) -> String {
        Lex::new('\\').expand(word, &env()).unwrap()
    }

    fn xerr(word: &str) -> String {
        Lex::new('\\').expand(word, &env()).unwrap_err().message
    }

    #[test]
    fn plain_and_braced_variables() {
        assert_eq!(x("$V"), "value");
        assert_eq!(x("${V}"), "value");
        assert_eq!(x("a${V}b"), "avalueb");
        assert_eq!(x("$UNSET"), "");
        assert_eq!(x("$"), "$");
        assert_eq!(x("$1x"), "x");
    }

    #[test]
    fn default_and_alternative_forms() {
        assert_eq!(x("${UNSET:-d}"), "d");
        assert_eq!(x("${EMPTY:-d}"), "d");
        assert_eq!(x("${EMPTY-d}"), "");
        assert_eq!(x("${UNSET-d}"), "d");
        assert_eq!(x("${V:-d}"), "value");
        assert_eq!(x("${V:+alt}"), "alt");
        assert_eq!(x("${EMPTY:+alt}"), "");
        assert_eq!(x("${EMPTY+alt}"), "alt");
        assert_eq!(x("${UNSET+alt}"), "");
        assert_eq!(x("${UNSET:-$V}"), "value");
    }

    #[test]
    fn required_forms_fail_like_buildkit() {
        assert_eq!(xerr("${UNSET:?need it}"), "UNSET: need it");
        assert_eq!(xerr("${EMPTY:?}"), "EMPTY: is not allowed to be empty");
        assert_eq!(xerr("${UNSET?}"), "UNSET: is not allowed to be unset");
        assert_eq!(x("${EMPTY?}"), "");
        assert_eq!(x("${V:?x}"), "value");
    }

    #[test]
    fn prefix_and_suffix_removal() {
        assert_eq!(x("${PATH_#*/}"), "usr/local/bin/app.tar.gz");
        assert_eq!(x("${PATH_##*/}"), "app.tar.gz");
        assert_eq!(x("${PATH_%.*}"), "/usr/local/bin/app.tar");
        assert_eq!(x("${PATH_%%.*}"), "/usr/local/bin/app");
        assert_eq!(x("${V#nomatch}"), "value");
        assert_eq!(x("${V%?}"), "valu");
        assert_eq!(xerr("${V:#x}"), "unsupported modifier (:#) in substitution");
    }

    #[test]
    fn pattern_replacement() {
        assert_eq!(x("${V/a/A}"), "vAlue");
        assert_eq!(x("${PATH_//\\//_}"), "_usr_local_bin_app.tar.gz");
        assert_eq!(x("${V/l*/L}"), "vaL");
        assert_eq!(x("${UNSET/a/b}"), "");
    }

    #[test]
    fn bad_substitutions_are_errors() {
        assert_eq!(xerr("${}"), "syntax error: bad substitution");
        assert_eq!(xerr("${V"), "syntax error: missing '}'");
        assert_eq!(xerr("${V:-x"), "syntax error: missing '}'");
        assert_eq!(
            xerr("${V:0:1}"),
            "unsupported modifier (:0) in substitution"
        );
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(x("'$V'"), "$V");
        assert_eq!(x("\"$V x\""), "value x");
        assert_eq!(x("a\\ b"), "a b");
        assert_eq!(x("\\$V"), "$V");
        assert_eq!(x("\"a\\\"b\""), "a\"b");
        assert_eq!(x("\"a\\nb\""), "a\\nb");
        assert_eq!(Lex::new('`').expand("a`$V", &env()).unwrap(), "a$V");
    }

    #[test]
    fn words_split_after_expansion() {
        let lex = Lex::new('\\');
        let env = vec![("L".to_string(), "a b  c".to_string())];
        assert_eq!(
            lex.words("x $L 'd e'", &env).unwrap(),
            ["x", "a", "b", "c", "d e"]
        );
        assert_eq!(lex.words("''", &env).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn skip_unset_keeps_references() {
        let mut lex = Lex::new('\\');
        lex.skip_unset_env = true;
        assert_eq!(
            lex.expand("$X ${Y} ${Z:-d}", &NoEnv).unwrap(),
            "$X ${Y} ${Z:-d}"
        );
    }

    #[test]
    fn heredoc_markers_keep_following_blanks() {
        let mut lex = Lex::new('\\');
        lex.raw_quotes = true;
        lex.raw_escapes = true;
        lex.skip_unset_env = true;
        assert_eq!(
            lex.words("RUN <<  EOF > f", &NoEnv).unwrap(),
            ["RUN", "<<  EOF", ">", "f"]
        );
    }

    #[test]
    fn matched_and_unmatched_are_recorded() {
        let p = Lex::new('\\').process("$V $NOPE ${X:-y}", &env()).unwrap();
        assert!(p.matched.contains("V"));
        assert!(p.unmatched.contains("NOPE"));
        assert!(p.unmatched.contains("X"));
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let word = "${A:-".repeat(10_000);
        assert!(Lex::new('\\').expand(&word, &NoEnv).is_err());
    }
}
