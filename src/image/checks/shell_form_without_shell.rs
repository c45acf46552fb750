//! A shell-form command in an image without that shell.

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};
use crate::image::layer::EntryKind;

pub const META: Meta = Meta {
    code: "IL7016",
    name: "shell-form-without-shell",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    summary: "A shell-form entrypoint, command or healthcheck needs a shell the image lacks",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/shell-form-without-shell.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str =
    "use the exec form (`[\"/app\", \"--flag\"]`), or add the shell to the image";

fn has_executable(cx: &Context<'_>, path: &str) -> bool {
    cx.fs
        .resolve(path)
        .is_some_and(|(_, n)| matches!(n.kind, EntryKind::File | EntryKind::HardLink))
}

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let shell = cx
        .config
        .shell
        .first()
        .cloned()
        .unwrap_or_else(|| "/bin/sh".to_string());
    // shell form is stored as [shell, "-c", text]
    let mut uses: Vec<(&'static str, String)> = Vec::new();
    for (field, argv) in [
        ("Entrypoint", &cx.config.entrypoint),
        ("Cmd", &cx.config.cmd),
    ] {
        if let (Some(first), Some(second)) = (argv.first(), argv.get(1))
            && second == "-c"
            && (first == &shell || first == "/bin/sh" || first == "/bin/bash")
        {
            uses.push((field, first.clone()));
        }
    }
    if let Some(h) = &cx.config.healthcheck
        && h.test.first().is_some_and(|t| t == "CMD-SHELL")
    {
        uses.push(("Healthcheck", shell.clone()));
    }
    for (field, sh) in uses {
        if !has_executable(cx, &sh) {
            out.push(
                Finding::new(
                    &META,
                    format!("`{field}` runs through `{sh}`, which is not in the image"),
                )
                .config(field),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::config::Healthcheck;
    use super::super::testing::{TestImage, messages};
    use super::*;

    fn shell_form(img: TestImage) -> TestImage {
        img.config(|c| {
            c.entrypoint = vec!["/bin/sh".into(), "-c".into(), "exec /app".into()];
            c.healthcheck = Some(Healthcheck {
                test: vec!["CMD-SHELL".into(), "/app -health".into()],
            });
        })
    }

    #[test]
    fn fires_in_shell_less_images() {
        let f = shell_form(TestImage::new().file("app", b"\x7fELF")).run(check);
        assert_eq!(
            messages(&f),
            [
                "`Entrypoint` runs through `/bin/sh`, which is not in the image",
                "`Healthcheck` runs through `/bin/sh`, which is not in the image",
            ]
        );
    }

    #[test]
    fn quiet_with_a_shell_or_exec_form() {
        let with_shell = shell_form(
            TestImage::new()
                .file("bin/busybox", b"\x7fELF")
                .symlink("bin/sh", "busybox"),
        );
        assert!(with_shell.run(check).is_empty());
        let exec = TestImage::new()
            .file("app", b"\x7fELF")
            .config(|c| c.entrypoint = vec!["/app".into(), "-c".into()]);
        assert!(exec.run(check).is_empty());
    }
}
