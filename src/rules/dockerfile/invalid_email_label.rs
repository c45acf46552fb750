use super::label_schema::{self, is_email};
use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// DL3058
pub struct InvalidEmailLabel;

const META: Meta = Meta {
    code: "DL3058",
    name: "invalid-email-label",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A label the schema types `email` is not an e-mail address",
    doc: include_str!("../../../rules/invalid-email-label.md"),
    target: Target::Dockerfile,
};

impl Rule for InvalidEmailLabel {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        label_schema::check_values(cx, ins, "email", "an e-mail address", is_email);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    fn schema() -> crate::rules::RuleOptions {
        label_schema(
            &[
                ("org.opencontainers.image.authors", "email"),
                ("other", "text"),
            ],
            false,
        )
    }

    #[test]
    fn fires_on_invalid_values() {
        fires_with(
            "DL3058",
            &schema(),
            "FROM alpine\nLABEL org.opencontainers.image.authors=\"Ops <ops@example.com>\" other=x\n",
            &[
                "2:40 DL3058 the label `org.opencontainers.image.authors` is not an e-mail address: `Ops <ops@example.com>`",
            ],
        );
        // build arguments are expanded
        fires_with(
            "DL3058",
            &schema(),
            "FROM alpine\nARG V=\"Ops <ops@example.com>\"\nONBUILD LABEL org.opencontainers.image.authors=$V\n",
            &[
                "3:48 DL3058 the label `org.opencontainers.image.authors` is not an e-mail address: `Ops <ops@example.com>`",
            ],
        );
    }

    #[test]
    fn passes_on_valid_empty_unknown_or_unlisted_values() {
        let o = schema();
        passes_with(
            "DL3058",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.authors=\"ops@example.com\"\n",
        );
        // empty is another rule's, unknown variables are not judged
        passes_with(
            "DL3058",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.authors=\"\" other=$NOPE\n",
        );
        passes_with(
            "DL3058",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.authors=$VERSION\n",
        );
        // not in the schema, or no schema at all
        passes_with(
            "DL3058",
            &o,
            "FROM alpine\nLABEL other=\"Ops <ops@example.com>\"\n",
        );
        passes(
            "DL3058",
            "FROM alpine\nLABEL org.opencontainers.image.authors=\"Ops <ops@example.com>\"\n",
        );
    }
}
