use crate::fix::{Edit, Fix};
use crate::graph::Build;
use crate::rules::*;
use crate::source::Span;

/// IL1004
pub struct EmptyContinuationLine;

const META: Meta = Meta {
    code: "IL1004",
    name: "empty-continuation-line",
    aliases: &["NoEmptyContinuation"],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "An empty line inside a continued instruction",
    doc: include_str!("../../../rules/empty-continuation-line.md"),
    target: Target::Dockerfile,
};

/// The whole line of `span`, its line break included.
fn whole_line(text: &str, span: Span) -> Span {
    let start = text[..span.start as usize].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end as usize..]
        .find('\n')
        .map_or(text.len(), |i| span.end as usize + i + 1);
    Span::from_range(start..end)
}

impl Rule for EmptyContinuationLine {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, _build: &Build) {
        let df = cx.dockerfile();
        for ec in &df.empty_continuations {
            let Some(first) = ec.lines.first() else {
                continue;
            };
            let kw = df
                .instructions
                .get(ec.instruction)
                .map_or("the instruction", |i| i.kind.name());
            let text = cx.text();
            let edits: Vec<Edit> = ec
                .lines
                .iter()
                .map(|l| Edit::delete(whole_line(text, *l)))
                .collect();
            let mut f = cx
                .report(*first, format!("empty line inside the continued `{kw}`"))
                .help("remove the empty line: a future BuildKit will read it as the end of the instruction")
                .fix(Fix::safe("remove the empty lines", edits));
            for l in &ec.lines[1..] {
                f = f.label(*l, "another empty line");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_once_per_instruction_at_the_first_empty_line() {
        fires(
            "IL1004",
            "FROM alpine\nRUN apk add \\\n\n    curl \\\n  \n    git\n",
            &["3:1 IL1004 empty line inside the continued `RUN`"],
        );
        fires(
            "IL1004",
            "FROM alpine\nONBUILD RUN a \\\n\n  b\n",
            &["3:1 IL1004 empty line inside the continued `ONBUILD`"],
        );
    }

    #[test]
    fn removes_the_empty_lines() {
        assert_eq!(
            fixed(
                "IL1004",
                "FROM alpine\r\nRUN a \\\r\n\r\n  b \\\r\n \r\n  c\r\n",
                Applicability::Safe
            ),
            "FROM alpine\r\nRUN a \\\r\n  b \\\r\n  c\r\n"
        );
    }

    #[test]
    fn passes_for_comments_and_separate_instructions() {
        passes("IL1004", "FROM alpine\nRUN a \\\n# comment\n  b\n\nRUN c\n");
        passes("IL1004", "FROM alpine\nRUN <<EOF\na\n\nb\nEOF\n");
    }
}
