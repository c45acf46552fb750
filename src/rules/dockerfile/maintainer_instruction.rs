use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};

/// DL4000
pub struct MaintainerInstruction;

const META: Meta = Meta {
    code: "DL4000",
    name: "maintainer-instruction",
    aliases: &[
        "DS-0022",
        "DS022",
        "docker-no-maintainer",
        "CKV_DOCKER_6",
        "MaintainerDeprecated",
    ],
    severity: Severity::Error,
    category: Category::Maintainability,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "`MAINTAINER` is deprecated",
    doc: include_str!("../../../rules/maintainer-instruction.md"),
    target: Target::Dockerfile,
};

impl Rule for MaintainerInstruction {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Maintainer]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        // `ONBUILD MAINTAINER` is invalid-onbuild-trigger's
        if cx.in_onbuild() {
            return;
        }
        let fix = authors_label(cx, ins).map(|label| {
            Fix::unsafe_(
                "replace with an `org.opencontainers.image.authors` label",
                vec![Edit::replace(ins.span, label)],
            )
        });
        cx.report(ins.keyword.span, "`MAINTAINER` is deprecated")
            .help("record the author in an `org.opencontainers.image.authors` label")
            .maybe_fix(fix);
    }
}

/// The `LABEL` replacing `ins`, when its text can be quoted as is.
fn authors_label(cx: &Context<'_>, ins: &Instruction) -> Option<String> {
    let Args::Text(word) = &ins.args else {
        return None;
    };
    let value = word.text.trim();
    let escape = cx.dockerfile().escape;
    // one line, nothing the quoted label value would read differently
    if value.is_empty()
        || word.span.text(cx.text()) != word.text
        || value.contains(['"', '$', '\\', '\n', '\r', escape])
    {
        return None;
    }
    // keep the file's keyword casing
    let label = if ins.keyword.text.chars().all(|c| c.is_ascii_lowercase()) {
        "label"
    } else {
        "LABEL"
    };
    Some(format!(
        "{label} org.opencontainers.image.authors=\"{value}\""
    ))
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_maintainer() {
        fires(
            "DL4000",
            "FROM alpine\nMAINTAINER Ops <ops@example.com>\n",
            &["2:1 DL4000 `MAINTAINER` is deprecated"],
        );
        // ONBUILD MAINTAINER is another rule's
        passes("DL4000", "FROM alpine\nONBUILD MAINTAINER me\n");
        passes("DL4000", "FROM alpine\nLABEL maintainer=me\n");
    }

    #[test]
    fn fix_writes_the_authors_label() {
        assert_eq!(
            fixed(
                "DL4000",
                "FROM alpine\nMAINTAINER Ops <ops@example.com>\nRUN x\n",
                Applicability::Unsafe
            ),
            "FROM alpine\nLABEL org.opencontainers.image.authors=\"Ops <ops@example.com>\"\nRUN x\n"
        );
        assert_eq!(
            fixed(
                "DL4000",
                "from alpine\nmaintainer me\n",
                Applicability::Unsafe
            ),
            "from alpine\nlabel org.opencontainers.image.authors=\"me\"\n"
        );
        // not safe: the image config's author field is no longer set
        let text = "FROM alpine\nMAINTAINER me\n";
        assert_eq!(fixed("DL4000", text, Applicability::Safe), text);
        // text the label would read differently is left alone
        for text in [
            "FROM alpine\nMAINTAINER \"Ops\" $USER\n",
            "FROM alpine\nMAINTAINER Ops \\\n  <ops@example.com>\n",
        ] {
            assert_eq!(fixed("DL4000", text, Applicability::Unsafe), text);
        }
    }
}
