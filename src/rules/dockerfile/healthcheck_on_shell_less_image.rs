use super::final_image::{has_shell, root_base_span, root_image};
use crate::graph::Build;
use crate::rules::*;
use crate::syntax::{Args, Command, Healthcheck};

/// IL5406
pub struct HealthcheckOnShellLessImage;

const META: Meta = Meta {
    code: "IL5406",
    name: "healthcheck-on-shell-less-image",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A `HEALTHCHECK` needs a shell or a tool the image does not have: the container never turns healthy",
    doc: include_str!("../../../rules/healthcheck-on-shell-less-image.md"),
    target: Target::Dockerfile,
};

/// Programs health checks commonly call that shell-less images lack.
const TOOLS: &[&str] = &["curl", "wget", "sh", "bash", "ash", "nc", "netcat"];

impl Rule for HealthcheckOnShellLessImage {
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
        let Some(at) = target.config.healthcheck else {
            return;
        };
        let Some(ins) = cx.instruction(at) else {
            return;
        };
        let Args::Healthcheck(Healthcheck::Cmd { command, .. }) = &ins.args else {
            return;
        };
        let (span, message) = match command {
            Command::Shell { text, .. } => (
                text.span,
                "shell-form `HEALTHCHECK` needs `/bin/sh`, which the image does not have"
                    .to_string(),
            ),
            Command::Exec { args, .. } => {
                let Some(first) = args.first() else { return };
                let name = first.text.rsplit('/').next().unwrap_or(&first.text);
                if !TOOLS.contains(&name) {
                    return;
                }
                // copied in by the Dockerfile
                let copied = target.config.copies.iter().any(|c| {
                    let base = |p: &str| {
                        p.trim_end_matches('/')
                            .rsplit('/')
                            .next()
                            .unwrap_or("")
                            .to_string()
                    };
                    base(&c.dest) == name
                        || c.sources
                            .iter()
                            .any(|s| base(s) == name || s.contains("busybox"))
                });
                if copied {
                    return;
                }
                (
                    first.span,
                    format!("`{name}` is not in the image, so the health check always fails"),
                )
            }
            Command::Empty => return,
        };
        let mut r = cx
            .report(span, message)
            .help("call the application itself in exec form (a health subcommand or flag), or copy a static probe binary into the image");
        if let (Some(s), Some(base)) = (
            root_base_span(build, target.index),
            root_image(build, target.index),
        ) {
            r = r.label(s, format!("`{}` has no shell", base.original));
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_for_shell_form_and_missing_tools() {
        fires(
            "IL5406",
            "FROM gcr.io/distroless/static-debian12\nCOPY app /app\nHEALTHCHECK --interval=30s CMD curl -f http://localhost:8080/ || exit 1\nENTRYPOINT [\"/app\"]\n",
            &[
                "3:32 IL5406 shell-form `HEALTHCHECK` needs `/bin/sh`, which the image does not have",
            ],
        );
        fires(
            "IL5406",
            "FROM scratch\nCOPY app /app\nHEALTHCHECK CMD [\"wget\", \"-q\", \"--spider\", \"http://localhost/\"]\nENTRYPOINT [\"/app\"]\n",
            &["3:18 IL5406 `wget` is not in the image, so the health check always fails"],
        );
    }

    #[test]
    fn passes_for_exec_form_programs_and_shells() {
        passes(
            "IL5406",
            "FROM gcr.io/distroless/static-debian12\nCOPY app /app\nHEALTHCHECK CMD [\"/app\", \"healthcheck\"]\n",
        );
        passes(
            "IL5406",
            "FROM scratch\nCOPY --from=build /usr/bin/curl /usr/bin/curl\nHEALTHCHECK CMD [\"curl\", \"-f\", \"http://localhost/\"]\n",
        );
        passes(
            "IL5406",
            "FROM gcr.io/distroless/static-debian12:debug\nHEALTHCHECK CMD wget -q http://localhost/\n",
        );
        passes(
            "IL5406",
            "FROM alpine:3.20\nHEALTHCHECK CMD wget -q http://localhost/\n",
        );
        passes("IL5406", "FROM scratch\nHEALTHCHECK NONE\n");
    }
}
