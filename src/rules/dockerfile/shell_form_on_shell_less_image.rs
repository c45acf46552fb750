use super::final_image::{has_shell, root_base_span, root_image};
use super::shell_form_command::exec_form;
use crate::fix::{Edit, Fix};
use crate::graph::Build;
use crate::rules::*;
use crate::syntax::Command;

/// IL5404
pub struct ShellFormOnShellLessImage;

const META: Meta = Meta {
    code: "IL5404",
    name: "shell-form-on-shell-less-image",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A shell-form `CMD` or `ENTRYPOINT` on an image without a shell: the container cannot start",
    doc: include_str!("../../../rules/shell-form-on-shell-less-image.md"),
    target: Target::Dockerfile,
};

impl Rule for ShellFormOnShellLessImage {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let Some(target) = build.target_stage() else {
            return;
        };
        if target.windows || has_shell(build, target.index) != Some(false) {
            return;
        }
        let config = &target.config;
        // the shell-form command the runtime starts through the shell
        let at = match (config.entrypoint, config.cmd) {
            (Some(ep), _) => ep,
            (None, Some(cmd)) => cmd,
            (None, None) => return,
        };
        let Some(ins) = cx.instruction(at) else {
            return;
        };
        let Some(Command::Shell {
            text, json_error, ..
        }) = ins.command()
        else {
            return;
        };
        let shell = config
            .shell
            .as_ref()
            .and_then(|(s, _)| s.first().cloned())
            .unwrap_or_else(|| "/bin/sh".to_string());
        let kw = ins.kind.name();
        let fix = json_error
            .is_none()
            .then(|| exec_form(&text.text))
            .flatten()
            .map(|json| Fix::unsafe_("use the exec form", vec![Edit::replace(text.span, json)]));
        let mut r = cx
            .report(
                text.span,
                format!("shell-form `{kw}` needs `{shell}`, which the image does not have"),
            )
            .help(format!(
                "use the exec form `{kw} [\"/app\", \"--flag\"]`; variables such as `$PORT` then need the program to read them"
            ))
            .maybe_fix(fix);
        if let (Some(span), Some(base)) = (
            root_base_span(build, target.index),
            root_image(build, target.index),
        ) {
            r = r.label(span, format!("`{}` has no shell", base.original));
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    const BAD: &str = "FROM golang:1.23 AS build\nRUN CGO_ENABLED=0 go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\nENTRYPOINT /app --port 8080\n";

    #[test]
    fn fires_on_distroless_and_scratch() {
        fires(
            "IL5404",
            BAD,
            &["5:12 IL5404 shell-form `ENTRYPOINT` needs `/bin/sh`, which the image does not have"],
        );
        assert_eq!(
            spans(
                "IL5404",
                "FROM scratch\nCOPY app /app\nCMD /app \\\n  --serve\n"
            ),
            ["/app \\\n  --serve"]
        );
        // through a stage based on the shell-less image
        fires(
            "IL5404",
            "FROM cgr.dev/chainguard/static AS base\nCOPY app /app\nFROM base\nCMD /app\n",
            &["4:5 IL5404 shell-form `CMD` needs `/bin/sh`, which the image does not have"],
        );
    }

    #[test]
    fn fixes_plain_commands_only() {
        assert_eq!(
            fixed("IL5404", BAD, Applicability::Unsafe),
            BAD.replace(
                "ENTRYPOINT /app --port 8080",
                "ENTRYPOINT [\"/app\", \"--port\", \"8080\"]"
            )
        );
        let with_var = "FROM scratch\nCOPY app /app\nCMD /app --port $PORT\n";
        assert_eq!(fixed("IL5404", with_var, Applicability::Unsafe), with_var);
    }

    #[test]
    fn passes_with_a_shell() {
        passes(
            "IL5404",
            "FROM gcr.io/distroless/static-debian12\nCMD [\"/app\"]\n",
        );
        passes(
            "IL5404",
            "FROM gcr.io/distroless/static-debian12:debug\nCMD /app\n",
        );
        passes("IL5404", "FROM alpine:3.20\nCMD /app\n");
        passes(
            "IL5404",
            "FROM scratch\nCOPY --from=busybox:1.36 /bin/busybox /bin/sh\nCMD /app\n",
        );
        passes(
            "IL5404",
            "FROM scratch\nADD rootfs.tar.xz /\nCMD /bin/app\n",
        );
        // ENTRYPOINT in exec form gets the shell-form CMD as arguments
        passes(
            "IL5404",
            "FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\nCMD --serve\n",
        );
        // unknown bases
        passes("IL5404", "FROM ghcr.io/acme/base:1\nCMD /app\n");
    }
}
