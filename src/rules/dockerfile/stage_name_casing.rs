use crate::fix::{Edit, Fix};
use crate::graph::Build;
use crate::rules::*;
use crate::source::Span;
use crate::syntax::{Args, Kind, Mount};

/// IL1007
pub struct StageNameCasing;

const META: Meta = Meta {
    code: "IL1007",
    name: "stage-name-casing",
    aliases: &["StageNameCasing"],
    severity: Severity::Style,
    category: Category::Style,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "A stage name with uppercase letters",
    doc: include_str!("../../../rules/stage-name-casing.md"),
    target: Target::Dockerfile,
};

/// Every place in the file that names stage `lower` (any case) and is not
/// written in lowercase: `FROM`, `COPY --from`, `RUN --mount=from=`.
fn references(cx: &Context<'_>, lower: &str) -> Vec<Span> {
    let text = cx.text();
    let mut out = Vec::new();
    let mut add = |span: Span| {
        let t = span.text(text);
        if t.eq_ignore_ascii_case(lower) && t != lower {
            out.push(span);
        }
    };
    for ins in cx.dockerfile().walk() {
        match ins.kind {
            Kind::From => {
                if let Args::From(f) = &ins.args
                    && let Some(image) = &f.image
                {
                    add(image.span);
                }
            }
            Kind::Copy | Kind::Add => {
                for flag in ins.flags_named("from") {
                    if let Some(v) = flag.value_span {
                        add(v);
                    }
                }
            }
            Kind::Run => {
                for flag in ins.flags_named("mount") {
                    for o in Mount::from_flag(flag).options {
                        if o.key == "from"
                            && let Some(v) = &o.value
                            && o.span.len() >= v.len()
                        {
                            add(Span::new(o.span.end - v.len() as u32, o.span.end));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

impl Rule for StageNameCasing {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for stage in &build.stages {
            let Some(span) = stage.name_span else {
                continue;
            };
            let written = span.text(cx.text());
            let lower = written.to_lowercase();
            if written == lower || written.contains('$') {
                continue;
            }
            let mut edits: Vec<Edit> = vec![Edit::replace(span, lower.clone())];
            // later definitions of the same name are reported on their own
            edits.extend(
                references(cx, &lower)
                    .into_iter()
                    .filter(|s| *s != span)
                    .map(|s| Edit::replace(s, lower.clone())),
            );
            edits.sort_by_key(|e| e.span.start);
            edits.dedup_by_key(|e| e.span);
            cx.report(span, format!("stage name `{written}` is not lowercase"))
                .help(format!(
                    "name it `{lower}`; stage names are matched without regard to case"
                ))
                .fix(Fix::safe(format!("rename to `{lower}`"), edits));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_uppercase_names() {
        fires(
            "IL1007",
            "FROM golang:1.23 AS Builder\nFROM alpine\nCOPY --from=Builder /a /a\n",
            &["1:21 IL1007 stage name `Builder` is not lowercase"],
        );
    }

    #[test]
    fn renames_the_stage_and_its_references() {
        assert_eq!(
            fixed(
                "IL1007",
                "FROM golang:1.23 AS Builder\nRUN --mount=type=cache,from=BUILDER,target=/x true\nFROM Builder AS Test\nFROM alpine\nCOPY --from=builder /a /a\nCOPY --from=TEST /b /b\n",
                Applicability::Safe
            ),
            "FROM golang:1.23 AS builder\nRUN --mount=type=cache,from=builder,target=/x true\nFROM builder AS test\nFROM alpine\nCOPY --from=builder /a /a\nCOPY --from=test /b /b\n"
        );
    }

    #[test]
    fn passes_for_lowercase_names() {
        passes(
            "IL1007",
            "FROM golang:1.23 AS build-env_2\nFROM alpine AS runtime\nFROM ALPINE\n",
        );
    }
}
