use crate::fix::{Edit, Fix};
use crate::graph::Build;
use crate::rules::*;
use crate::source::Span;
use crate::syntax::lex::{Env, Lex};

/// DL3065
pub struct RedundantTargetPlatform;

const META: Meta = Meta {
    code: "DL3065",
    name: "redundant-target-platform",
    aliases: &["RedundantTargetPlatform"],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`FROM --platform=$TARGETPLATFORM` repeats the default",
    doc: include_str!("../../../rules/redundant-target-platform.md"),
    target: Target::Dockerfile,
};

impl Rule for RedundantTargetPlatform {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let lex = Lex::new(cx.dockerfile().escape);
        for stage in &build.stages {
            let Some(from) = cx.instruction(stage.from) else {
                continue;
            };
            let Some(flag) = from.flag("platform") else {
                continue;
            };
            let Ok(p) = lex.process(flag.value_or_empty(), &build.global_scope) else {
                continue;
            };
            // only `$TARGETPLATFORM` itself, as BuildKit judges it
            let only_target = p.unmatched.is_empty()
                && p.matched.len() == 1
                && p.matched.contains("TARGETPLATFORM")
                && build.global_scope.get("TARGETPLATFORM") == Some(p.result.as_str());
            if !only_target {
                continue;
            }
            let written = flag.span.text(cx.text());
            let fix = Fix::safe(
                format!("remove `{written}`"),
                vec![Edit::delete(with_following_space(cx.text(), flag.span))],
            );
            cx.report(
                flag.span,
                format!("`{written}` is redundant: stages build for the target platform anyway"),
            )
            .help("remove the `--platform` flag")
            .fix(fix);
        }
    }
}

/// `span` extended over the blanks after it.
fn with_following_space(text: &str, span: Span) -> Span {
    let rest = text.get(span.end as usize..).unwrap_or("");
    let n = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    Span::new(span.start, span.end + n as u32)
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_target_platform() {
        fires(
            "DL3065",
            "FROM --platform=$TARGETPLATFORM alpine\nFROM --platform=${TARGETPLATFORM} debian AS d\n",
            &[
                "1:6 DL3065 `--platform=$TARGETPLATFORM` is redundant: stages build for the target platform anyway",
                "2:6 DL3065 `--platform=${TARGETPLATFORM}` is redundant: stages build for the target platform anyway",
            ],
        );
        // declaring the automatic argument changes nothing
        fires(
            "DL3065",
            "ARG TARGETPLATFORM\nFROM --platform=$TARGETPLATFORM alpine\n",
            &[
                "2:6 DL3065 `--platform=$TARGETPLATFORM` is redundant: stages build for the target platform anyway",
            ],
        );
    }

    #[test]
    fn passes_on_other_platforms() {
        for from in [
            "FROM --platform=$BUILDPLATFORM golang",
            "FROM --platform=linux/amd64 alpine",
            "FROM --platform=$TARGETOS/$TARGETARCH alpine",
            "FROM alpine",
        ] {
            passes("DL3065", &format!("{from}\n"));
        }
    }

    #[test]
    fn fix_removes_the_flag() {
        assert_eq!(
            fixed(
                "DL3065",
                "FROM --platform=$TARGETPLATFORM  alpine AS a\n",
                Applicability::Safe
            ),
            "FROM alpine AS a\n"
        );
    }
}
