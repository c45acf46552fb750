use crate::fix::{Edit, Fix};
use crate::graph::Build;
use crate::rules::*;
use crate::syntax::Kind;

/// IL1005
pub struct InstructionCasing;

const META: Meta = Meta {
    code: "IL1005",
    name: "instruction-casing",
    aliases: &["ConsistentInstructionCasing"],
    severity: Severity::Style,
    category: Category::Style,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "An instruction keyword cased unlike most of the file's, or in mixed case",
    doc: include_str!("../../../rules/instruction-casing.md"),
    target: Target::Dockerfile,
};

fn is_lower(s: &str) -> bool {
    s.to_lowercase() == s
}

fn is_upper(s: &str) -> bool {
    s.to_uppercase() == s
}

impl Rule for InstructionCasing {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, _build: &Build) {
        let instructions = &cx.dockerfile().instructions;
        let known = || instructions.iter().filter(|i| i.kind != Kind::Unknown);
        let (mut lower, mut upper) = (0, 0);
        for ins in known() {
            let kw = ins.keyword.text.as_str();
            if is_lower(kw) {
                lower += 1;
            } else if is_upper(kw) {
                upper += 1;
            }
        }
        // BuildKit's rule: lowercase only when it is the strict majority
        let majority_lower = lower > upper;
        for ins in known() {
            let kw = ins.keyword.text.as_str();
            let (wanted, case) = if majority_lower {
                (kw.to_lowercase(), "lowercase")
            } else {
                (kw.to_uppercase(), "uppercase")
            };
            if wanted == kw {
                continue;
            }
            let message = if is_lower(kw) || is_upper(kw) {
                format!("`{kw}` is not {case} like most instructions in this file")
            } else {
                format!("`{kw}` mixes cases; the file's instructions are {case}")
            };
            cx.report(ins.keyword.span, message)
                .help(format!("write `{wanted}`"))
                .fix(Fix::safe(
                    format!("write `{wanted}`"),
                    vec![Edit::replace(ins.keyword.span, wanted.clone())],
                ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_against_the_majority_and_on_mixed_case() {
        fires(
            "IL1005",
            "FROM alpine\nrun echo\nCOPY a /b\nWorkdir /x\n",
            &[
                "2:1 IL1005 `run` is not uppercase like most instructions in this file",
                "4:1 IL1005 `Workdir` mixes cases; the file's instructions are uppercase",
            ],
        );
        fires(
            "IL1005",
            "from alpine\nrun echo\nCOPY a /b\n",
            &["3:1 IL1005 `COPY` is not lowercase like most instructions in this file"],
        );
    }

    #[test]
    fn a_tie_goes_to_uppercase() {
        fires(
            "IL1005",
            "from alpine\nRUN echo\n",
            &["1:1 IL1005 `from` is not uppercase like most instructions in this file"],
        );
    }

    #[test]
    fn fixes_the_keyword() {
        assert_eq!(
            fixed(
                "IL1005",
                "FROM alpine\nrun echo\nOnBuild run x\n",
                Applicability::Safe
            ),
            "FROM alpine\nRUN echo\nONBUILD run x\n"
        );
    }

    #[test]
    fn passes_for_consistent_files() {
        passes("IL1005", "FROM alpine\nRUN echo\n");
        passes("IL1005", "from alpine\nrun echo\n");
    }
}
