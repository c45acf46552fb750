use super::final_image::{has_root_filesystem, root_base_span, root_image};
use crate::fix::{Edit, Fix};
use crate::graph::Build;
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::size::system::passwd_users;
use crate::source::Span;
use crate::syntax::Args;

/// IL5408
pub struct UserNameWithoutPasswd;

const META: Meta = Meta {
    code: "IL5408",
    name: "user-name-without-passwd",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "`USER` names an account the image's `/etc/passwd` does not have: the container cannot start",
    doc: include_str!("../../../rules/user-name-without-passwd.md"),
    target: Target::Dockerfile,
};

/// The user ID a `useradd`/`adduser` in the file gives `name`.
fn uid_of(cx: &Context<'_>, name: &str) -> Option<String> {
    let n = cx.dockerfile().instructions.len();
    for i in 0..n {
        for script in cx.scripts_of(i) {
            for cmd in &script.commands {
                let Some(a) = ShellArgs::of(cmd) else {
                    continue;
                };
                if !matches!(a.program(), "useradd" | "adduser") {
                    continue;
                }
                let ops = a.operands(&[
                    "-u",
                    "--uid",
                    "-g",
                    "--gid",
                    "-G",
                    "--groups",
                    "-d",
                    "--home",
                    "--home-dir",
                    "-s",
                    "--shell",
                    "-c",
                    "--comment",
                    "-h",
                    "-g",
                    "-k",
                    "--skel",
                    "-K",
                    "-e",
                    "-f",
                    "--ingroup",
                    "--gecos",
                ]);
                if !ops.iter().any(|w| w.value == name) {
                    continue;
                }
                if let Some(uid) = a.value(&['u'], &["uid"])
                    && !uid.is_empty()
                    && uid.chars().all(|c| c.is_ascii_digit())
                {
                    return Some(uid.to_string());
                }
            }
        }
    }
    None
}

impl Rule for UserNameWithoutPasswd {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let Some(target) = build.target_stage() else {
            return;
        };
        if target.windows {
            return;
        }
        let Some((value, at)) = &target.config.user else {
            return;
        };
        let Some(ins) = cx.instruction(*at) else {
            return;
        };
        let Args::Text(word) = &ins.args else { return };
        // users from build arguments are decided at build time
        if word.text.contains('$') {
            return;
        }
        let (name, group) = match value.split_once(':') {
            Some((u, g)) => (u, Some(g)),
            None => (value.as_str(), None),
        };
        if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
            return;
        }
        let Some(base) = root_image(build, target.index) else {
            return;
        };
        let Some(known) = passwd_users(&base) else {
            return;
        };
        if known.contains(&name) {
            return;
        }
        let copies = &target.config.copies;
        let passwd_copied = has_root_filesystem(copies)
            || copies.iter().any(|c| {
                c.dest.starts_with("/etc/passwd")
                    || (c.dest.trim_end_matches('/') == "/etc"
                        && c.sources.iter().any(|s| {
                            s.contains("passwd") || s.trim_end_matches('/').ends_with("/etc")
                        }))
            });
        if passwd_copied {
            return;
        }
        let fix = if group.is_none_or(|g| g.chars().all(|c| c.is_ascii_digit()))
            && word.text.starts_with(name)
        {
            uid_of(cx, name).map(|uid| {
                Fix::unsafe_(
                    format!("use the user ID `{uid}`"),
                    vec![Edit::replace(
                        Span::new(word.span.start, word.span.start + name.len() as u32),
                        uid,
                    )],
                )
            })
        } else {
            None
        };
        let mut r = cx
            .report(
                word.span,
                format!("user `{name}` is not in the image's `/etc/passwd`, so the container cannot start"),
            )
            .help("use a numeric user ID (`USER 65532:65532`), or copy `/etc/passwd` and `/etc/group` from the stage that created the user")
            .maybe_fix(fix);
        if let Some(span) = root_base_span(build, target.index) {
            let has = if known.is_empty() {
                "has no `/etc/passwd`".to_string()
            } else {
                format!(
                    "defines only {}",
                    known
                        .iter()
                        .map(|u| format!("`{u}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            r = r.label(span, format!("`{}` {has}", base.original));
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    const BAD: &str = "FROM golang:1.23 AS build\nRUN useradd -u 10001 app\nRUN CGO_ENABLED=0 go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nUSER app\nENTRYPOINT [\"/app\"]\n";

    #[test]
    fn fires_for_names_the_base_lacks() {
        fires(
            "IL5408",
            BAD,
            &[
                "6:6 IL5408 user `app` is not in the image's `/etc/passwd`, so the container cannot start",
            ],
        );
        assert_eq!(
            spans(
                "IL5408",
                "FROM gcr.io/distroless/static-debian12\nUSER appuser:appuser\n"
            ),
            ["appuser:appuser"]
        );
    }

    #[test]
    fn fixes_with_the_uid_the_file_gives() {
        assert_eq!(
            fixed("IL5408", BAD, Applicability::Unsafe),
            BAD.replace("USER app", "USER 10001")
        );
        let unknown = "FROM scratch\nCOPY app /app\nUSER app\n";
        assert_eq!(fixed("IL5408", unknown, Applicability::Unsafe), unknown);
    }

    #[test]
    fn passes_for_known_numeric_and_copied_users() {
        passes(
            "IL5408",
            "FROM gcr.io/distroless/static-debian12\nUSER nonroot\n",
        );
        passes(
            "IL5408",
            "FROM cgr.dev/chainguard/static\nUSER nonroot:nonroot\n",
        );
        passes(
            "IL5408",
            "FROM mcr.microsoft.com/dotnet/runtime-deps:8.0-jammy-chiseled\nUSER app\n",
        );
        passes("IL5408", "FROM scratch\nUSER 65532:65532\n");
        passes("IL5408", "FROM scratch\nARG USER=app\nUSER $USER\n");
        passes(
            "IL5408",
            &BAD.replace(
                "USER app",
                "COPY --from=build /etc/passwd /etc/passwd\nUSER app",
            ),
        );
        passes(
            "IL5408",
            "FROM scratch\nCOPY --from=build /etc/passwd /etc/group /etc/\nUSER app\n",
        );
        passes("IL5408", "FROM alpine:3.20\nUSER app\n");
        passes("IL5408", "FROM ghcr.io/acme/base:1\nUSER app\n");
    }
}
