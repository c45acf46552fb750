use super::label_schema::{labels, schema_type};
use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// DL3050
pub struct LabelNotInSchema;

const META: Meta = Meta {
    code: "DL3050",
    name: "label-not-in-schema",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A label is not in the label schema while strict labels are on",
    doc: include_str!("../../../rules/label-not-in-schema.md"),
    target: Target::Dockerfile,
};

impl Rule for LabelNotInSchema {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        if !cx.options().strict_labels {
            return;
        }
        let extra: Vec<_> = labels(cx, ins)
            .into_iter()
            .filter_map(|l| {
                let key = l.key?;
                schema_type(cx, &key)
                    .is_none()
                    .then_some((key, l.key_word.span))
            })
            .collect();
        let Some((key, span)) = extra.first() else {
            return;
        };
        let mut report = cx
            .report(
                *span,
                format!("the label `{key}` is not in the label schema"),
            )
            .help("remove the label, or add it to the label schema");
        for (k, s) in extra.iter().skip(1) {
            report = report.label(*s, format!("`{k}` is not in it either"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_once_per_instruction_in_strict_mode() {
        fires_with(
            "DL3050",
            &label_schema(&[("maintainer", "text")], true),
            "FROM alpine\nLABEL maintainer=x vendor=y \\\n  other=z\n",
            &["2:20 DL3050 the label `vendor` is not in the label schema"],
        );
    }

    #[test]
    fn passes_without_strict_mode_or_with_schema_labels() {
        passes_with(
            "DL3050",
            &label_schema(&[("maintainer", "text")], false),
            "FROM alpine\nLABEL vendor=y\n",
        );
        passes_with(
            "DL3050",
            &label_schema(&[("maintainer", "text")], true),
            "FROM alpine\nLABEL maintainer=x $DYNAMIC=y\n",
        );
    }
}
