use crate::rules::*;
use crate::syntax::{Flag, Instruction, Kind};

/// IL1002
pub struct InvalidFlag;

const META: Meta = Meta {
    code: "IL1002",
    name: "invalid-flag",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A flag the instruction does not accept, or a flag without its value",
    doc: include_str!("../../../rules/invalid-flag.md"),
    target: Target::Dockerfile,
};

/// The flags BuildKit accepts per instruction, and whether each needs a
/// value (`true`) or is a switch (`false`).
fn accepted(kind: Kind) -> &'static [(&'static str, bool)] {
    match kind {
        Kind::From => &[("platform", true)],
        Kind::Run => &[
            ("mount", true),
            ("network", true),
            ("security", true),
            ("device", true),
        ],
        Kind::Copy => &[
            ("from", true),
            ("chown", true),
            ("chmod", true),
            ("link", false),
            ("parents", false),
            ("exclude", true),
        ],
        Kind::Add => &[
            ("chown", true),
            ("chmod", true),
            ("link", false),
            ("checksum", true),
            ("keep-git-dir", false),
            ("exclude", true),
            ("unpack", false),
        ],
        Kind::Healthcheck => &[
            ("interval", true),
            ("timeout", true),
            ("start-period", true),
            ("start-interval", true),
            ("retries", true),
        ],
        _ => &[],
    }
}

fn check_flag(kind: Kind, flag: &Flag) -> Option<(String, String)> {
    let list = accepted(kind);
    let Some(&(_, needs_value)) = list.iter().find(|(n, _)| *n == flag.name) else {
        let names = list.iter().map(|(n, _)| *n);
        let help = match crate::suggest::closest(&flag.name, names) {
            Some(s) => format!("did you mean `--{s}`?"),
            None if list.is_empty() => format!("`{}` takes no flags", kind.name()),
            None => format!(
                "`{}` accepts {}",
                kind.name(),
                list.iter()
                    .map(|(n, _)| format!("`--{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        return Some((
            format!("`{}` has no flag `--{}`", kind.name(), flag.name),
            help,
        ));
    };
    match (&flag.value, needs_value) {
        (None, true) => Some((
            format!("`--{}` needs a value", flag.name),
            format!(
                "write `--{}=<value>` (a value after a space is not read as the flag's)",
                flag.name
            ),
        )),
        (Some(v), false) if !matches!(v.as_str(), "true" | "false" | "") => Some((
            format!("`--{}` is a switch and takes no value", flag.name),
            format!("write `--{}` alone", flag.name),
        )),
        (Some(v), true)
            if flag.name == "network" && !matches!(v.as_str(), "default" | "none" | "host") =>
        {
            Some((
                format!("`--network={v}` is not a network mode"),
                "use `default`, `none` or `host`".to_string(),
            ))
        }
        (Some(v), true)
            if flag.name == "security" && !matches!(v.as_str(), "sandbox" | "insecure") =>
        {
            Some((
                format!("`--security={v}` is not a security mode"),
                "use `sandbox` or `insecure`".to_string(),
            ))
        }
        _ => None,
    }
}

impl Rule for InvalidFlag {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &Kind::ALL
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        for flag in &ins.flags {
            if let Some((message, help)) = check_flag(ins.kind, flag) {
                cx.report(flag.span, message).help(help);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_unknown_flags() {
        fires(
            "IL1002",
            "FROM alpine\nCOPY --user=app a /b\n",
            &["2:6 IL1002 `COPY` has no flag `--user`"],
        );
        fires(
            "IL1002",
            "FROM alpine\nWORKDIR --x /a\n",
            &["2:9 IL1002 `WORKDIR` has no flag `--x`"],
        );
        let f = findings("IL1002", "FROM alpine\nCOPY --chwon=1 a /b\n");
        assert_eq!(f[0].help.as_deref(), Some("did you mean `--chown`?"));
    }

    #[test]
    fn fires_on_missing_or_wrong_values() {
        fires(
            "IL1002",
            "FROM alpine\nCOPY --chmod 777 a /b\n",
            &["2:6 IL1002 `--chmod` needs a value"],
        );
        fires(
            "IL1002",
            "FROM alpine\nRUN --network=bridge make\n",
            &["2:5 IL1002 `--network=bridge` is not a network mode"],
        );
        fires(
            "IL1002",
            "FROM alpine\nONBUILD RUN --mount make\n",
            &["2:13 IL1002 `--mount` needs a value"],
        );
    }

    #[test]
    fn passes_for_valid_flags() {
        passes(
            "IL1002",
            "FROM --platform=$BUILDPLATFORM alpine\nRUN --mount=type=cache,target=/x --network=none make\nCOPY --from=0 --chown=1:1 --chmod=755 --link --parents --exclude=*.md a /b\nADD --checksum=sha256:abc --keep-git-dir=true https://x/y.git /z\nHEALTHCHECK --interval=5s --retries=3 CMD true\n",
        );
    }
}
