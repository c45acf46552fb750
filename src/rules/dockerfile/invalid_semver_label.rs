use super::label_schema::{self, is_semver};
use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// DL3056
pub struct InvalidSemverLabel;

const META: Meta = Meta {
    code: "DL3056",
    name: "invalid-semver-label",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A label the schema types `semver` is not a semantic version",
    doc: include_str!("../../../rules/invalid-semver-label.md"),
    target: Target::Dockerfile,
};

impl Rule for InvalidSemverLabel {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Label]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        label_schema::check_values(cx, ins, "semver", "a semantic version", is_semver);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    fn schema() -> crate::rules::RuleOptions {
        label_schema(
            &[
                ("org.opencontainers.image.version", "semver"),
                ("other", "text"),
            ],
            false,
        )
    }

    #[test]
    fn fires_on_invalid_values() {
        fires_with(
            "DL3056",
            &schema(),
            "FROM alpine\nLABEL org.opencontainers.image.version=\"v1.2\" other=x\n",
            &[
                "2:40 DL3056 the label `org.opencontainers.image.version` is not a semantic version: `v1.2`",
            ],
        );
        // build arguments are expanded
        fires_with(
            "DL3056",
            &schema(),
            "FROM alpine\nARG V=\"v1.2\"\nONBUILD LABEL org.opencontainers.image.version=$V\n",
            &[
                "3:48 DL3056 the label `org.opencontainers.image.version` is not a semantic version: `v1.2`",
            ],
        );
    }

    #[test]
    fn passes_on_valid_empty_unknown_or_unlisted_values() {
        let o = schema();
        passes_with(
            "DL3056",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.version=\"1.2.0\"\n",
        );
        // empty is another rule's, unknown variables are not judged
        passes_with(
            "DL3056",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.version=\"\" other=$NOPE\n",
        );
        passes_with(
            "DL3056",
            &o,
            "FROM alpine\nLABEL org.opencontainers.image.version=$VERSION\n",
        );
        // not in the schema, or no schema at all
        passes_with("DL3056", &o, "FROM alpine\nLABEL other=\"v1.2\"\n");
        passes(
            "DL3056",
            "FROM alpine\nLABEL org.opencontainers.image.version=\"v1.2\"\n",
        );
    }
}
