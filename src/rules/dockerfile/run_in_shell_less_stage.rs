use super::final_image::{brings_shell, root_base_span, root_image};
use crate::graph::{CopyDest, Stage};
use crate::rules::*;
use crate::size::facts;
use crate::syntax::{Command, Kind, Mount};

/// IL5405
pub struct RunInShellLessStage;

const META: Meta = Meta {
    code: "IL5405",
    name: "run-in-shell-less-stage",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A shell-form `RUN` in a stage whose base has no shell: the build fails",
    doc: include_str!("../../../rules/run-in-shell-less-stage.md"),
    target: Target::Dockerfile,
};

impl Rule for RunInShellLessStage {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_stage(&self, cx: &mut Context<'_>, stage: &Stage) {
        let build = cx.build();
        if stage.windows {
            return;
        }
        let Some(base) = root_image(build, stage.index) else {
            return;
        };
        if facts(&base).shell != Some(false) {
            return;
        }
        for i in stage.instructions() {
            let Some(ins) = cx.instruction(i) else {
                continue;
            };
            if ins.kind != Kind::Run {
                continue;
            }
            let Some(Command::Shell { text, .. }) = ins.command() else {
                continue;
            };
            let before: Vec<CopyDest> = stage
                .config
                .copies
                .iter()
                .filter(|c| c.instruction < i)
                .cloned()
                .collect();
            if brings_shell(&before) {
                return;
            }
            // a mount can bring the shell for this step
            let mounted = ins.flags_named("mount").any(|f| {
                let m = Mount::from_flag(f);
                m.from().is_some_and(|f| f.contains("busybox"))
                    || m.target().is_some_and(|t| {
                        let t = t.trim_end_matches('/');
                        t.ends_with("/bin") || t.ends_with("/sh") || t.contains("busybox")
                    })
            });
            if mounted {
                continue;
            }
            let shell = cx
                .state()
                .or_else(|| build.state(i))
                .and_then(|s| s.shell.first().cloned())
                .unwrap_or_else(|| "/bin/sh".into());
            let head = ins.head_span(cx.text());
            let at = if text.span.start < head.end {
                crate::source::Span::new(text.span.start, head.end.min(text.span.end))
            } else {
                ins.keyword.span
            };
            let mut r = cx
                .report(
                    at,
                    format!("`RUN` needs `{shell}`, which the stage's base image does not have"),
                )
                .help("do the work in a stage that has a shell and `COPY --from` the result, or use the exec form with a program the stage contains");
            if let Some(span) = root_base_span(build, stage.index) {
                r = r.label(span, format!("`{}` has no shell", base.original));
            }
            let _ = r;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_the_first_shell_form_run() {
        fires(
            "IL5405",
            "FROM gcr.io/distroless/static-debian12\nCOPY app /app\nRUN chmod +x /app\nRUN echo done\n",
            &["3:5 IL5405 `RUN` needs `/bin/sh`, which the stage's base image does not have"],
        );
        assert_eq!(
            spans("IL5405", "FROM scratch\nRUN <<EOF\nmkdir /data\nEOF\n"),
            ["<<EOF"]
        );
        assert_eq!(
            spans(
                "IL5405",
                "FROM scratch AS base\nFROM base\nRUN mkdir -p /data \\\n  && chown 1000 /data\n"
            ),
            ["mkdir -p /data \\"]
        );
    }

    #[test]
    fn passes_after_a_root_filesystem_or_shell() {
        passes(
            "IL5405",
            "FROM scratch\nADD alpine-minirootfs.tar.gz /\nRUN apk add --no-cache curl\n",
        );
        passes(
            "IL5405",
            "FROM alpine AS rootfs\nRUN mkdir /out\nFROM scratch\nCOPY --from=rootfs / /\nRUN ls\n",
        );
        passes(
            "IL5405",
            "FROM gcr.io/distroless/base-debian12\nCOPY --from=busybox:1.36-musl /bin/busybox /bin/busybox\nRUN [\"/bin/busybox\", \"mkdir\", \"/data\"]\n",
        );
        passes(
            "IL5405",
            "FROM gcr.io/distroless/static-debian12\nRUN --mount=from=busybox:1.36,source=/bin,target=/bin mkdir /data\n",
        );
        passes(
            "IL5405",
            "FROM scratch\nCOPY app /app\nRUN [\"/app\", \"--self-test\"]\n",
        );
        passes(
            "IL5405",
            "FROM gcr.io/distroless/static-debian12:debug\nRUN mkdir /data\n",
        );
        passes("IL5405", "FROM alpine:3.20\nRUN mkdir /data\n");
        passes("IL5405", "FROM scratch\nONBUILD RUN mkdir /data\n");
    }
}
