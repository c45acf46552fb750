use crate::graph::Build;
use crate::rules::*;
use crate::suppress::{PragmaScope, pragmas};

/// DL1001
pub struct InlineIgnorePragma;

const META: Meta = Meta {
    code: "DL1001",
    name: "inline-ignore-pragma",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: false,
    summary: "A comment suppresses findings inline",
    doc: include_str!("../../../rules/inline-ignore-pragma.md"),
    target: Target::Dockerfile,
};

impl Rule for InlineIgnorePragma {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, _build: &Build) {
        for p in pragmas(cx.file(), cx.dockerfile()) {
            // BuildKit's `# check=skip=` is build configuration, not a linter
            // pragma
            if p.tool == "check" {
                continue;
            }
            let scope = match p.scope {
                PragmaScope::Next => "",
                PragmaScope::Global => "global ",
                PragmaScope::Stage => "stage ",
            };
            cx.report(
                p.span,
                format!("`# {} {scope}ignore=` suppresses findings inline", p.tool),
            )
            .help("fix the finding, or list the exception in the configuration file");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_every_ignore_pragma() {
        fires(
            "DL1001",
            "# hadolint global ignore=DL3006\nFROM alpine\n# imglint ignore=DL3008 pinned upstream\nRUN x\nRUN a \\\n  # hadolint ignore=SC2086\n  b\n",
            &[
                "1:1 DL1001 `# hadolint global ignore=` suppresses findings inline",
                "3:1 DL1001 `# imglint ignore=` suppresses findings inline",
                "6:3 DL1001 `# hadolint ignore=` suppresses findings inline",
            ],
        );
        assert_eq!(
            spans(
                "DL1001",
                "FROM alpine\n#hadolint stage ignore=DL3002\nRUN x\n"
            ),
            ["#hadolint stage ignore=DL3002"]
        );
    }

    #[test]
    fn passes_on_other_comments() {
        passes(
            "DL1001",
            "# syntax=docker/dockerfile:1\n# check=skip=JSONArgsRecommended\nFROM alpine\n# hadolint is great\n# check=skip=StageNameCasing\nRUN x\n",
        );
    }

    #[test]
    fn is_off_by_default() {
        let settings = crate::lint::LintSettings::default();
        let report = crate::lint::lint_text(
            "Dockerfile",
            "FROM alpine\n# hadolint ignore=DL3006\nRUN x\n",
            &settings,
        );
        assert!(report.findings.iter().all(|f| f.rule.code != "DL1001"));
    }
}
