use super::label_schema::{labels, schema_type};
use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// DL3051
pub struct EmptySchemaLabel;

const META: Meta = Meta {
    code: "DL3051",
    name: "empty-schema-label",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A label of the label schema is empty",
    doc: include_str!("../../../rules/empty-schema-label.md"),
    target: Target::Dockerfile,
};

impl Rule for EmptySchemaLabel {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        if cx.options().label_schema.is_empty() {
            return;
        }
        for l in labels(cx, ins) {
            let (Some(key), Some(value)) = (&l.key, &l.value) else {
                continue;
            };
            if value.trim().is_empty() && schema_type(cx, key).is_some() {
                cx.report(l.value_word.span, format!("the label `{key}` is empty"))
                    .label(l.key_word.span, "the label schema requires a value")
                    .help(format!("give `{key}` a value"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_empty_schema_labels() {
        let o = label_schema(&[("maintainer", "text"), ("version", "semver")], false);
        fires_with(
            "DL3051",
            &o,
            "FROM alpine\nLABEL maintainer=\"\" version='' other=\"\"\n",
            &[
                "2:18 DL3051 the label `maintainer` is empty",
                "2:29 DL3051 the label `version` is empty",
            ],
        );
        // a build argument without a value
        fires_with(
            "DL3051",
            &o,
            "FROM alpine\nARG V=\nLABEL version=$V\n",
            &["3:15 DL3051 the label `version` is empty"],
        );
    }

    #[test]
    fn passes_on_values_and_unknown_variables() {
        let o = label_schema(&[("maintainer", "text")], false);
        passes_with("DL3051", &o, "FROM alpine\nLABEL maintainer=me\n");
        passes_with("DL3051", &o, "FROM alpine\nLABEL maintainer=$WHO\n");
        passes("DL3051", "FROM alpine\nLABEL maintainer=\"\"\n");
    }
}
