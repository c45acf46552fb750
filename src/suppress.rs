//! Suppression, applied after the rules have run: `# imglint ignore=…` and
//! `# hadolint ignore=…` before an instruction, their `global` and `stage`
//! forms, and BuildKit's `# check=skip=…` (as a file directive or directly
//! above an instruction).

use crate::rules::Finding;
use crate::source::{SourceFile, Span};
use crate::syntax::{Dockerfile, Kind};

/// The scope of a pragma.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PragmaScope {
    /// The next instruction.
    Next,
    /// The whole file.
    Global,
    /// The stage whose `FROM` follows.
    Stage,
}

/// A suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pragma {
    pub scope: PragmaScope,
    /// Rule codes, names or aliases as written (`all` for BuildKit's
    /// `skip=all`).
    pub codes: Vec<String>,
    /// The comment.
    pub span: Span,
    /// `imglint`, `hadolint` or `check`.
    pub tool: &'static str,
    pub reason: Option<String>,
}

/// Reads the pragmas of a file.
pub fn pragmas(file: &SourceFile, df: &Dockerfile) -> Vec<Pragma> {
    let mut out = Vec::new();
    for c in &df.comments {
        let text = c.span.text(&file.text);
        if let Some(p) = parse_pragma(text, c.span) {
            out.push(p);
        }
    }
    if let Some(d) = df.directive("check") {
        for part in d.value.split(';') {
            if let Some(list) = part.trim().strip_prefix("skip=") {
                out.push(Pragma {
                    scope: PragmaScope::Global,
                    codes: split_codes(list),
                    span: d.span,
                    tool: "check",
                    reason: None,
                });
            }
        }
    }
    out
}

fn split_codes(list: &str) -> Vec<String> {
    list.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Parses one comment line as a pragma.
pub fn parse_pragma(comment: &str, span: Span) -> Option<Pragma> {
    let body = comment.strip_prefix('#')?.trim_start();
    // BuildKit: `# check=skip=A,B` directly above an instruction
    if let Some(rest) = body.strip_prefix("check") {
        let rest = rest.trim_start().strip_prefix('=')?.trim_start();
        for part in rest.split(';') {
            if let Some(list) = part.trim().strip_prefix("skip=") {
                return Some(Pragma {
                    scope: PragmaScope::Next,
                    codes: split_codes(list),
                    span,
                    tool: "check",
                    reason: None,
                });
            }
        }
        return None;
    }
    let (tool, rest) = if let Some(r) = body.strip_prefix("imglint") {
        ("imglint", r)
    } else if let Some(r) = body.strip_prefix("hadolint") {
        ("hadolint", r)
    } else {
        return None;
    };
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let mut rest = rest.trim_start();
    let mut scope = PragmaScope::Next;
    for (word, s) in [
        ("global", PragmaScope::Global),
        ("stage", PragmaScope::Stage),
    ] {
        if let Some(r) = rest.strip_prefix(word)
            && r.starts_with([' ', '\t'])
        {
            scope = s;
            rest = r.trim_start();
        }
    }
    let list = rest
        .strip_prefix("ignore")?
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let end = list.find(char::is_whitespace).unwrap_or(list.len());
    // `ignore=A, B` with spaces after commas is accepted too
    let mut codes_text = list[..end].to_string();
    let mut tail = &list[end..];
    while codes_text.ends_with(',') {
        let t = tail.trim_start();
        let e = t.find(char::is_whitespace).unwrap_or(t.len());
        codes_text.push_str(&t[..e]);
        tail = &t[e..];
    }
    let reason = tail.trim().trim_start_matches(['#', '-', ':']).trim();
    let codes = split_codes(&codes_text);
    if codes.is_empty() {
        return None;
    }
    Some(Pragma {
        scope,
        codes,
        span,
        tool,
        reason: (!reason.is_empty()).then(|| reason.to_string()),
    })
}

fn matches(pragma: &Pragma, finding: &Finding) -> bool {
    pragma.codes.iter().any(|c| {
        (pragma.tool == "check" && c.eq_ignore_ascii_case("all")) || finding.rule.is_named(c)
    })
}

/// Removes the findings that pragmas suppress.
pub fn apply(
    file: &SourceFile,
    df: &Dockerfile,
    findings: Vec<Finding>,
    disable_inline: bool,
) -> Vec<Finding> {
    apply_at(file, df, findings, disable_inline, |f| {
        instruction_at(df, f.span.start)
    })
}

/// Like [`apply`], with the instruction each finding belongs to given by
/// `instruction` (`None`: no instruction, so only file-wide pragmas apply).
/// Image findings use it: they belong to the instruction that made their
/// layer, or to none.
pub fn apply_at(
    file: &SourceFile,
    df: &Dockerfile,
    findings: Vec<Finding>,
    disable_inline: bool,
    instruction: impl Fn(&Finding) -> Option<usize>,
) -> Vec<Finding> {
    let pragmas = pragmas(file, df);
    if pragmas.is_empty() {
        return findings;
    }
    let ins = &df.instructions;
    // which instruction each pragma applies to
    let next_instruction = |span: Span| ins.iter().position(|i| i.span.start >= span.end);
    let mut per_instruction: Vec<Vec<&Pragma>> = vec![Vec::new(); ins.len()];
    let mut global: Vec<&Pragma> = Vec::new();
    let mut stage_ranges: Vec<(usize, usize, &Pragma)> = Vec::new();
    for p in &pragmas {
        // BuildKit's directive is file-wide even under disable-ignore-pragma
        if disable_inline && p.tool != "check" {
            continue;
        }
        match p.scope {
            PragmaScope::Global => global.push(p),
            PragmaScope::Next => {
                if let Some(i) = next_instruction(p.span) {
                    per_instruction[i].push(p);
                }
            }
            PragmaScope::Stage => {
                if let Some(i) = next_instruction(p.span)
                    && ins[i].kind == Kind::From
                {
                    let end = ins
                        .iter()
                        .enumerate()
                        .skip(i + 1)
                        .find(|(_, x)| x.kind == Kind::From)
                        .map_or(ins.len(), |(j, _)| j);
                    stage_ranges.push((i, end, p));
                }
            }
        }
    }
    findings
        .into_iter()
        .filter(|f| {
            if global.iter().any(|p| matches(p, f)) {
                return false;
            }
            if let Some(i) = instruction(f) {
                if per_instruction
                    .get(i)
                    .is_some_and(|ps| ps.iter().any(|p| matches(p, f)))
                {
                    return false;
                }
                if stage_ranges
                    .iter()
                    .any(|(s, e, p)| (*s..*e).contains(&i) && matches(p, f))
                {
                    return false;
                }
            }
            true
        })
        .collect()
}

/// The top-level instruction that holds byte `offset`.
pub fn instruction_at(df: &Dockerfile, offset: u32) -> Option<usize> {
    let ins = &df.instructions;
    let i = ins.partition_point(|x| x.span.start <= offset);
    let i = i.checked_sub(1)?;
    (offset <= ins[i].span.end).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Option<Pragma> {
        parse_pragma(text, Span::default())
    }

    #[test]
    fn pragma_forms() {
        let x = p("# hadolint ignore=DL3008,DL3015 pinned upstream").unwrap();
        assert_eq!(x.codes, ["DL3008", "DL3015"]);
        assert_eq!(x.scope, PragmaScope::Next);
        assert_eq!(x.reason.as_deref(), Some("pinned upstream"));
        let x = p("# imglint global ignore=final-stage-runs-as-root").unwrap();
        assert_eq!(x.scope, PragmaScope::Global);
        let x = p("#imglint stage ignore=DL3002 # builder").unwrap();
        assert_eq!(x.scope, PragmaScope::Stage);
        assert_eq!(x.reason.as_deref(), Some("builder"));
        let x = p("# check=skip=JSONArgsRecommended,StageNameCasing").unwrap();
        assert_eq!(x.tool, "check");
        assert_eq!(x.codes.len(), 2);
        let x = p("# imglint ignore=DL3008, DL3009").unwrap();
        assert_eq!(x.codes, ["DL3008", "DL3009"]);
        assert!(p("# hadolinted ignore=DL1").is_none());
        assert!(p("# just a comment").is_none());
        assert!(p("# imglint ignore=").is_none());
    }
}
