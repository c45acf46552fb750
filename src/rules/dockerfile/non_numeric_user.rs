use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};

/// DL3066
pub struct NonNumericUser;

const META: Meta = Meta {
    code: "DL3066",
    name: "non-numeric-user",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`USER` names a user instead of a numeric user ID",
    doc: include_str!("../../../rules/non-numeric-user.md"),
    target: Target::Dockerfile,
};

impl Rule for NonNumericUser {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::User]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::Text(word) = &ins.args else { return };
        let Some(i) = cx.instruction_index() else {
            return;
        };
        let build = cx.build();
        let Some(stage) = build.stage_of(i) else {
            return;
        };
        // Windows has no numeric user IDs
        if stage.windows {
            return;
        }
        // only the stages the image is built from: a builder stage's user
        // never runs in a cluster
        if build
            .target
            .is_none_or(|t| !build.chain(t).contains(&stage.index))
        {
            return;
        }
        let value = cx.expand_at(i, &word.text);
        let user = value.split(':').next().unwrap_or(&value).trim();
        // a variable nobody can know from the Dockerfile
        if user.is_empty() || user.contains('$') || user.bytes().all(|b| b.is_ascii_digit()) {
            return;
        }
        cx.report(
            word.span,
            format!("`USER {value}` names the user `{user}` instead of a numeric user ID"),
        )
        .help("use the numeric user ID (`USER 10001`), which Kubernetes' `runAsNonRoot` can check");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_user_names() {
        fires(
            "DL3066",
            "FROM alpine\nUSER app\nUSER nobody:nogroup\n",
            &[
                "2:6 DL3066 `USER app` names the user `app` instead of a numeric user ID",
                "3:6 DL3066 `USER nobody:nogroup` names the user `nobody` instead of a numeric user ID",
            ],
        );
        fires(
            "DL3066",
            "FROM alpine\nARG USER=loki\nUSER $USER\n",
            &["3:6 DL3066 `USER loki` names the user `loki` instead of a numeric user ID"],
        );
    }

    #[test]
    fn passes_on_ids_unknown_variables_and_windows() {
        for user in [
            "1000",
            "1000:1000",
            "0",
            "65532:app",
            "$UNKNOWN",
            "${APP_UID}",
        ] {
            passes("DL3066", &format!("FROM alpine\nUSER {user}\n"));
        }
        passes("DL3066", "FROM alpine\nENV SOLR_UID=8983\nUSER $SOLR_UID\n");
        passes(
            "DL3066",
            "FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nUSER ContainerAdministrator\n",
        );
    }
}
