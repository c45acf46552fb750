use crate::graph::Build;
use crate::rules::*;

/// DL3049
pub struct MissingRequiredLabel;

const META: Meta = Meta {
    code: "DL3049",
    name: "missing-required-label",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "The image lacks a label the label schema requires",
    doc: include_str!("../../../rules/missing-required-label.md"),
    target: Target::Dockerfile,
};

impl Rule for MissingRequiredLabel {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let schema = &cx.options().label_schema;
        if schema.is_empty() {
            return;
        }
        // only the image counts: labels of builder stages are thrown away
        let Some(stage) = build.target_stage() else {
            return;
        };
        let Some(from) = cx.instruction(stage.from) else {
            return;
        };
        // the stage's labels, inherited through `FROM <stage>`
        let have: Vec<&str> = stage
            .config
            .labels
            .iter()
            .map(|(k, _, _)| k.as_str())
            .collect();
        for (label, _) in schema {
            if have.contains(&label.as_str()) {
                continue;
            }
            cx.report(
                from.keyword.span,
                format!("the image lacks the required label `{label}`"),
            )
            .help(format!("add `LABEL {label}=…` to the stage"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    fn schema() -> crate::rules::RuleOptions {
        label_schema(&[("maintainer", "text"), ("version", "semver")], false)
    }

    #[test]
    fn fires_for_each_missing_label_of_the_image() {
        fires_with(
            "DL3049",
            &schema(),
            "FROM golang AS build\nLABEL maintainer=x\nFROM alpine\nLABEL version=1.0.0\n",
            &["3:1 DL3049 the image lacks the required label `maintainer`"],
        );
        fires_with(
            "DL3049",
            &schema(),
            "FROM alpine\nONBUILD LABEL maintainer=x version=1.0.0\n",
            &[
                "1:1 DL3049 the image lacks the required label `maintainer`",
                "1:1 DL3049 the image lacks the required label `version`",
            ],
        );
    }

    #[test]
    fn passes_when_the_image_has_the_labels() {
        // inherited from the parent stage
        passes_with(
            "DL3049",
            &schema(),
            "FROM alpine AS base\nLABEL \"maintainer\"=x \\\n  version=$V\nFROM base\nRUN x\n",
        );
        passes("DL3049", "FROM alpine\n");
    }
}
