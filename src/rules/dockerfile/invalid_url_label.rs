use super::label_schema::{self, is_url};
use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// DL3052
pub struct InvalidUrlLabel;

const META: Meta = Meta {
    code: "DL3052",
    name: "invalid-url-label",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A label the schema types `url` is not a valid URL",
    doc: include_str!("../../../rules/invalid-url-label.md"),
    target: Target::Dockerfile,
};

impl Rule for InvalidUrlLabel {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        label_schema::check_values(cx, ins, "url", "a valid URL", is_url);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    fn schema() -> crate::rules::RuleOptions {
        label_schema(
            &[
                ("org.opencontainers.image.source", "url"),
                ("other", "text"),
            ],
            false,
        )
    }

    #[test]
    fn fires_on_invalid_values() {
        fires_with(
            "DL3052",
            &schema(),
            "FROM alpine\nLABEL org.opencontainers.image.source=\"github.com/acme/app\" other=x\n",
            &[
                "2:39 DL3052 the label `org.opencontainers.image.source` is not a valid URL: `github.com/acme/app`",
            ],
        );
        // build arguments are expanded
        fires_with(
            "DL3052",
            &schema(),
            "FROM alpine\nARG V=\"github.com/acme/app\"\nONBUILD LABEL org.opencontainers.image.source=$V\n",
            &[
                "3:47 DL3052 the label `org.opencontainers.image.source` is not a valid URL: `github.com/acme/app`",
            ],
        );
    }

    #[test]
    fn passes_on_valid_empty_unknown_or_unlisted_values() {
        let o = schema();
        passes_with(
            "DL3052",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.source=\"https://github.com/acme/app\"\n",
        );
        // empty is another rule's, unknown variables are not judged
        passes_with(
            "DL3052",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.source=\"\" other=$NOPE\n",
        );
        passes_with(
            "DL3052",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.source=$VERSION\n",
        );
        // not in the schema, or no schema at all
        passes_with(
            "DL3052",
            &o,
            "FROM alpine\nLABEL other=\"github.com/acme/app\"\n",
        );
        passes(
            "DL3052",
            "FROM alpine\nLABEL org.opencontainers.image.source=\"github.com/acme/app\"\n",
        );
    }
}
