use super::label_schema::{self, is_git_hash};
use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// DL3055
pub struct InvalidHashLabel;

const META: Meta = Meta {
    code: "DL3055",
    name: "invalid-hash-label",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A label the schema types `hash` is not a Git commit hash",
    doc: include_str!("../../../rules/invalid-hash-label.md"),
    target: Target::Dockerfile,
};

impl Rule for InvalidHashLabel {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        label_schema::check_values(cx, ins, "hash", "a Git commit hash", is_git_hash);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    fn schema() -> crate::rules::RuleOptions {
        label_schema(
            &[
                ("org.opencontainers.image.revision", "hash"),
                ("other", "text"),
            ],
            false,
        )
    }

    #[test]
    fn fires_on_invalid_values() {
        fires_with(
            "DL3055",
            &schema(),
            "FROM alpine\nLABEL org.opencontainers.image.revision=\"main\" other=x\n",
            &[
                "2:41 DL3055 the label `org.opencontainers.image.revision` is not a Git commit hash: `main`",
            ],
        );
        // build arguments are expanded
        fires_with(
            "DL3055",
            &schema(),
            "FROM alpine\nARG V=\"main\"\nONBUILD LABEL org.opencontainers.image.revision=$V\n",
            &[
                "3:49 DL3055 the label `org.opencontainers.image.revision` is not a Git commit hash: `main`",
            ],
        );
    }

    #[test]
    fn passes_on_valid_empty_unknown_or_unlisted_values() {
        let o = schema();
        passes_with(
            "DL3055",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.revision=\"4f2c1a9\"\n",
        );
        // empty is another rule's, unknown variables are not judged
        passes_with(
            "DL3055",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.revision=\"\" other=$NOPE\n",
        );
        passes_with(
            "DL3055",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.revision=$VERSION\n",
        );
        // not in the schema, or no schema at all
        passes_with("DL3055", &o, "FROM alpine\nLABEL other=\"main\"\n");
        passes(
            "DL3055",
            "FROM alpine\nLABEL org.opencontainers.image.revision=\"main\"\n",
        );
    }
}
