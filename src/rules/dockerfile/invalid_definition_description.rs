use crate::rules::*;
use crate::source::Span;
use crate::syntax::{Args, Comment, Instruction, Kind};

/// IL1011
pub struct InvalidDefinitionDescription;

const META: Meta = Meta {
    code: "IL1011",
    name: "invalid-definition-description",
    aliases: &["InvalidDefinitionDescription"],
    severity: Severity::Style,
    category: Category::Style,
    fix: FixAvailability::None,
    default_enabled: false,
    summary: "A comment right above `ARG` or `FROM … AS` that does not start with the name",
    doc: include_str!("../../../rules/invalid-definition-description.md"),
    target: Target::Dockerfile,
};

/// The comment on the line right above `line` (1-based), if any.
fn comment_above<'a>(cx: &Context<'a>, line: u32) -> Option<&'a Comment> {
    let file = cx.file();
    cx.dockerfile()
        .comments
        .iter()
        .rev()
        .find(|c| !c.in_continuation && file.position(c.span.start).line + 1 == line)
}

/// Comments that are instructions to tools, not descriptions.
fn is_pragma(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    [
        "hadolint ",
        "imglint ",
        "check=",
        "syntax=",
        "escape=",
        "checkov:",
        "trivy:",
        "nosec",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

impl Rule for InvalidDefinitionDescription {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Arg, Kind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        if cx.in_onbuild() {
            return;
        }
        let names: Vec<&str> = match &ins.args {
            Args::Arg(decls) => decls.iter().map(|d| d.name.text.as_str()).collect(),
            Args::From(f) => f.name.iter().map(|n| n.text.as_str()).collect(),
            _ => return,
        };
        if names.is_empty() {
            return;
        }
        let Some(comment) = comment_above(cx, ins.start_line) else {
            return;
        };
        let text = comment.span.text(cx.text());
        let body = text.trim_start().trim_start_matches('#').trim_start();
        if body.is_empty() || is_pragma(body) {
            return;
        }
        let first = body.split(' ').next().unwrap_or("");
        if names.contains(&first) {
            return;
        }
        let (what, example) = match ins.kind {
            Kind::Arg if names.len() > 1 => ("`ARG`", "<name>"),
            Kind::Arg => ("`ARG`", names[0]),
            _ => ("the stage", names[0]),
        };
        let span = Span::new(comment.span.start, comment.span.end);
        cx.report(span, format!("comment for {what} should read `# {example} <description>`"))
            .help("start the description with the name, or put an empty line between it and the instruction");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_descriptions_without_the_name() {
        fires(
            "IL1011",
            "# the Go version\nARG GO_VERSION=1.23\nFROM golang:${GO_VERSION}\n",
            &["1:1 IL1011 comment for `ARG` should read `# GO_VERSION <description>`"],
        );
        fires(
            "IL1011",
            "FROM alpine\n# compile the binary\nFROM golang AS build\n",
            &["2:1 IL1011 comment for the stage should read `# build <description>`"],
        );
    }

    #[test]
    fn passes_for_named_descriptions_and_detached_comments() {
        passes(
            "IL1011",
            "# GO_VERSION selects the toolchain\nARG GO_VERSION=1.23\n# some note\n\nARG X\n# hadolint ignore=DL3006\nFROM golang AS build\n# test runs the tests\nFROM build AS test\nFROM alpine\n",
        );
    }
}
