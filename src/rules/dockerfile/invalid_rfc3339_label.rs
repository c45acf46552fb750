use super::label_schema::{self, is_rfc3339};
use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// DL3053
pub struct InvalidRfc3339Label;

const META: Meta = Meta {
    code: "DL3053",
    name: "invalid-rfc3339-label",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A label the schema types `rfc3339` is not an RFC 3339 date and time",
    doc: include_str!("../../../rules/invalid-rfc3339-label.md"),
    target: Target::Dockerfile,
};

impl Rule for InvalidRfc3339Label {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        label_schema::check_values(cx, ins, "rfc3339", "an RFC 3339 time", is_rfc3339);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    fn schema() -> crate::rules::RuleOptions {
        label_schema(
            &[
                ("org.opencontainers.image.created", "rfc3339"),
                ("other", "text"),
            ],
            false,
        )
    }

    #[test]
    fn fires_on_invalid_values() {
        fires_with(
            "DL3053",
            &schema(),
            "FROM alpine\nLABEL org.opencontainers.image.created=\"2024-05-01\" other=x\n",
            &[
                "2:40 DL3053 the label `org.opencontainers.image.created` is not an RFC 3339 time: `2024-05-01`",
            ],
        );
        // build arguments are expanded
        fires_with(
            "DL3053",
            &schema(),
            "FROM alpine\nARG V=\"2024-05-01\"\nONBUILD LABEL org.opencontainers.image.created=$V\n",
            &[
                "3:48 DL3053 the label `org.opencontainers.image.created` is not an RFC 3339 time: `2024-05-01`",
            ],
        );
    }

    #[test]
    fn passes_on_valid_empty_unknown_or_unlisted_values() {
        let o = schema();
        passes_with(
            "DL3053",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.created=\"2024-05-01T12:30:00Z\"\n",
        );
        // empty is another rule's, unknown variables are not judged
        passes_with(
            "DL3053",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.created=\"\" other=$NOPE\n",
        );
        passes_with(
            "DL3053",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.created=$VERSION\n",
        );
        // not in the schema, or no schema at all
        passes_with("DL3053", &o, "FROM alpine\nLABEL other=\"2024-05-01\"\n");
        passes(
            "DL3053",
            "FROM alpine\nLABEL org.opencontainers.image.created=\"2024-05-01\"\n",
        );
    }
}
