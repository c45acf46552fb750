//! Instructions of which only the last one in a stage counts (`CMD`,
//! `ENTRYPOINT`, `HEALTHCHECK`): every earlier one is overridden.

use crate::fix::{Edit, Fix};
use crate::graph::Build;
use crate::rules::Context;
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// Reports each `kind` instruction that a later one in the same stage
/// overrides, at its keyword, with the overriding one labelled.
pub(super) fn check(cx: &mut Context<'_>, build: &Build, kind: Kind) {
    let name = kind.name();
    for stage in &build.stages {
        let found: Vec<usize> = stage
            .instructions()
            .filter(|&i| cx.instruction(i).is_some_and(|ins| ins.kind == kind))
            .collect();
        for pair in found.windows(2) {
            let (Some(earlier), Some(later)) = (cx.instruction(pair[0]), cx.instruction(pair[1]))
            else {
                continue;
            };
            let fix = delete_lines(cx, earlier)
                .map(|edit| Fix::unsafe_(format!("remove the overridden `{name}`"), vec![edit]));
            cx.report(
                earlier.keyword.span,
                format!("this `{name}` has no effect: a later `{name}` in the stage replaces it"),
            )
            .label(later.keyword.span, format!("this `{name}` replaces it"))
            .help(format!("keep one `{name}` per stage"))
            .maybe_fix(fix);
        }
    }
}

/// An edit that removes the whole lines of `ins`, or `None` when that would
/// remove a comment or text that belongs to something else.
pub(super) fn delete_lines(cx: &Context<'_>, ins: &Instruction) -> Option<Edit> {
    let text = cx.text();
    let start = ins.span.start as usize;
    let end = ins.span.end as usize;
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    if !text.get(line_start..start)?.trim().is_empty() {
        return None;
    }
    let rest = text.get(end..)?;
    let line_end = match rest.find('\n') {
        Some(i) if rest[..i].trim().is_empty() => end + i + 1,
        None if rest.trim().is_empty() => text.len(),
        _ => return None,
    };
    let span = ins.span;
    let has_comment = cx
        .dockerfile()
        .comments
        .iter()
        .any(|c| span.contains(c.span));
    if has_comment {
        return None;
    }
    Some(Edit::delete(Span::from_range(line_start..line_end)))
}
