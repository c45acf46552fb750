use super::label_schema::{self, is_spdx};
use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// DL3054
pub struct InvalidSpdxLabel;

const META: Meta = Meta {
    code: "DL3054",
    name: "invalid-spdx-label",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A label the schema types `spdx` is not an SPDX license expression",
    doc: include_str!("../../../rules/invalid-spdx-label.md"),
    target: Target::Dockerfile,
};

impl Rule for InvalidSpdxLabel {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        label_schema::check_values(cx, ins, "spdx", "an SPDX license expression", is_spdx);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    fn schema() -> crate::rules::RuleOptions {
        label_schema(
            &[
                ("org.opencontainers.image.licenses", "spdx"),
                ("other", "text"),
            ],
            false,
        )
    }

    #[test]
    fn fires_on_invalid_values() {
        fires_with(
            "DL3054",
            &schema(),
            "FROM alpine\nLABEL org.opencontainers.image.licenses=\"GPLv2\" other=x\n",
            &[
                "2:41 DL3054 the label `org.opencontainers.image.licenses` is not an SPDX license expression: `GPLv2`",
            ],
        );
        // build arguments are expanded
        fires_with(
            "DL3054",
            &schema(),
            "FROM alpine\nARG V=\"GPLv2\"\nONBUILD LABEL org.opencontainers.image.licenses=$V\n",
            &[
                "3:49 DL3054 the label `org.opencontainers.image.licenses` is not an SPDX license expression: `GPLv2`",
            ],
        );
    }

    #[test]
    fn passes_on_valid_empty_unknown_or_unlisted_values() {
        let o = schema();
        passes_with(
            "DL3054",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.licenses=\"Apache-2.0 OR MIT\"\n",
        );
        // empty is another rule's, unknown variables are not judged
        passes_with(
            "DL3054",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.licenses=\"\" other=$NOPE\n",
        );
        passes_with(
            "DL3054",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.licenses=$VERSION\n",
        );
        // not in the schema, or no schema at all
        passes_with("DL3054", &o, "FROM alpine\nLABEL other=\"GPLv2\"\n");
        passes(
            "DL3054",
            "FROM alpine\nLABEL org.opencontainers.image.licenses=\"GPLv2\"\n",
        );
    }
}
