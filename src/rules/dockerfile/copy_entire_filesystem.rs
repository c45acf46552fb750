use crate::graph::{Base, Build, EdgeTarget, ImageRef};
use crate::rules::*;
use crate::syntax::{Args, Kind};

/// DL3067
pub struct CopyEntireFilesystem;

const META: Meta = Meta {
    code: "DL3067",
    name: "copy-entire-filesystem",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`COPY --from=… / /` copies a whole operating system onto the stage",
    doc: include_str!("../../../rules/copy-entire-filesystem.md"),
    target: Target::Dockerfile,
};

/// Images built `FROM scratch` to be copied whole (`COPY --from=xx / /`).
const COPY_WHOLE_IMAGES: &[&str] = &["tonistiigi/xx"];

fn is_copy_whole_image(r: &ImageRef) -> bool {
    r.registry_host() == "docker.io" && COPY_WHOLE_IMAGES.contains(&r.name().as_str())
}

/// Whether a path is the root directory.
fn is_root(path: &str) -> bool {
    let p = path.trim_matches(['"', '\'']);
    !p.is_empty() && p.split('/').all(|c| c.is_empty() || c == ".") && p.starts_with('/')
}

impl Rule for CopyEntireFilesystem {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for stage in &build.stages {
            // a stage that starts from scratch and takes a whole filesystem
            // is flattening it: only the first such copy is
            let mut flattening = matches!(build.root_base(stage.index), Some(Base::Scratch));
            for copy in &stage.config.copies {
                if copy.instruction < stage.from || copy.instruction >= stage.end {
                    continue;
                }
                let Some(ins) = cx.instruction(copy.instruction) else {
                    continue;
                };
                let Some(from) = &copy.from else { continue };
                if ins.kind != Kind::Copy || !matches!(&ins.args, Args::Paths(_)) {
                    continue;
                }
                if !copy.sources.iter().any(|s| is_root(s)) || !is_root(&copy.dest) {
                    continue;
                }
                // the source holds only what was put into it, not an OS
                let small = match from {
                    EdgeTarget::Stage(s) => match build.root_base(*s) {
                        Some(Base::Scratch) => true,
                        Some(Base::Image(r)) => is_copy_whole_image(r),
                        _ => false,
                    },
                    EdgeTarget::Image(r) => is_copy_whole_image(r),
                    EdgeTarget::Invalid(_) => true,
                };
                if small {
                    continue;
                }
                if std::mem::replace(&mut flattening, false) {
                    continue;
                }
                let Some(flag) = ins.flag("from") else {
                    continue;
                };
                cx.report(
                    flag.span,
                    format!(
                        "`COPY {} / /` copies a whole filesystem onto the stage",
                        flag.span.text(cx.text())
                    ),
                )
                .help("copy only the directories the image needs");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_whole_filesystem_copies() {
        fires(
            "DL3067",
            "FROM python:3.13 AS build\nRUN pip install x\nFROM python:3.13\nCOPY --from=build / /\n",
            &["4:6 DL3067 `COPY --from=build / /` copies a whole filesystem onto the stage"],
        );
        fires(
            "DL3067",
            "FROM alpine\nCOPY --link --from=gloursdocker/docker \"/\" /.\n",
            &[
                "2:13 DL3067 `COPY --from=gloursdocker/docker / /` copies a whole filesystem onto the stage",
            ],
        );
        // the second whole filesystem on top of the first is waste again
        fires(
            "DL3067",
            "FROM debian AS a\nFROM debian AS b\nFROM scratch\nCOPY --from=a / /\nCOPY --from=b / /\n",
            &["5:6 DL3067 `COPY --from=b / /` copies a whole filesystem onto the stage"],
        );
    }

    #[test]
    fn passes_on_paths_flattening_and_scratch_sources() {
        passes(
            "DL3067",
            "FROM golang AS b\nFROM alpine\nCOPY --from=b /app /app\n",
        );
        // flattening into an empty image
        passes(
            "DL3067",
            "FROM ubuntu AS build\nRUN x\nFROM scratch\nCOPY --from=build / /\n",
        );
        // a stage that only holds what was copied into it
        passes(
            "DL3067",
            "FROM golang AS b\nFROM scratch AS out\nCOPY --from=b /app /app\nFROM alpine\nCOPY --from=out / /\n",
        );
        // an image made to be copied whole
        passes(
            "DL3067",
            "FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.6.1 AS xx\nFROM golang\nCOPY --from=xx / /\n",
        );
        passes("DL3067", "FROM alpine\nCOPY / /\n");
    }
}
