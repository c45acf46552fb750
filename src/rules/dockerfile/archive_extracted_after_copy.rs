use crate::graph::Build;
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::args::Args as ShellArgs;
use crate::source::Span;
use crate::syntax::{Args, Kind};

/// DL3010
pub struct ArchiveExtractedAfterCopy;

const META: Meta = Meta {
    code: "DL3010",
    name: "archive-extracted-after-copy",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Size,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A tar archive is copied, then extracted: `ADD` extracts it in one layer",
    doc: include_str!("../../../rules/archive-extracted-after-copy.md"),
    target: Target::Dockerfile,
};

/// Extensions of the archives `ADD` extracts: tar, plain or compressed
/// with gzip, bzip2 or xz. (Zip files are copied as they are.)
const TAR_EXTENSIONS: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz",
];

fn basename(path: &str) -> &str {
    path.trim_end_matches('/')
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
}

fn is_tar_archive(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    TAR_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Whether a command is `tar` extracting: `-x…`, `x…` (old style),
/// `--extract`, `--get`.
fn is_tar_extract(args: &ShellArgs<'_>) -> bool {
    if args.program() != "tar" && args.program() != "bsdtar" {
        return false;
    }
    let old_style = args.words.first().is_some_and(|w| {
        !w.value.starts_with('-')
            && w.value.contains('x')
            && w.value.chars().all(|c| c.is_ascii_alphabetic())
    });
    old_style || args.has(&['x'], &["extract", "get"])
}

/// The word of `cmd` that names the archive `name`, if it extracts it.
fn extracts(cmd: &SimpleCommand, name: &str) -> Option<Span> {
    let args = ShellArgs::of(cmd)?;
    if !is_tar_extract(&args) {
        return None;
    }
    args.words
        .iter()
        .find(|w| {
            let v = w.value.strip_prefix("--file=").unwrap_or(&w.value);
            let v = v.strip_prefix("-f").filter(|r| !r.is_empty()).unwrap_or(v);
            basename(v) == name
        })
        .map(|w| w.span)
}

impl Rule for ArchiveExtractedAfterCopy {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        // the extra layer only matters in the stages the image is made of
        let Some(target) = build.target else { return };
        for si in build.chain(target) {
            let stage = &build.stages[si];
            // (archive base name, source word)
            let mut copied: Vec<(String, Span)> = Vec::new();
            let mut reported: Vec<Span> = Vec::new();
            for i in stage.instructions() {
                let Some(ins) = cx.instruction(i) else {
                    continue;
                };
                match (&ins.kind, &ins.args) {
                    (Kind::Copy, Args::Paths(p)) if ins.flag("from").is_none() => {
                        let Some((dest, sources)) = p.words.split_last() else {
                            continue;
                        };
                        let dest_name = cx.expand_at(i, &dest.text);
                        if is_tar_archive(&dest_name) {
                            if let Some(src) = sources.first() {
                                copied.push((basename(&dest_name).to_string(), src.span));
                            }
                            continue;
                        }
                        for src in sources {
                            let s = cx.expand_at(i, &src.text);
                            if is_tar_archive(&s) && !s.contains(['*', '?', '[']) {
                                copied.push((basename(&s).to_string(), src.span));
                            }
                        }
                    }
                    (Kind::Run, _) => {
                        let scripts = cx.scripts_of(i);
                        for (name, src) in &copied {
                            if reported.contains(src) {
                                continue;
                            }
                            let hit = scripts
                                .iter()
                                .flat_map(|s| s.commands.iter())
                                .find_map(|c| extracts(c, name));
                            if let Some(at) = hit {
                                reported.push(*src);
                                cx.report(
                                    *src,
                                    format!("`{name}` is copied into a layer, then extracted"),
                                )
                                .help("`ADD` the archive to extract it without keeping a copy")
                                .label(at, "extracted here");
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_copy_then_extract() {
        fires(
            "DL3010",
            "FROM debian\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz\n",
            &["2:6 DL3010 `app.tar.gz` is copied into a layer, then extracted"],
        );
        fires(
            "DL3010",
            "FROM debian\nARG V=1.2\nCOPY dist/tool-${V}.tgz /tmp/tool.tgz\nRUN cd /opt \\\n  # unpack\n  && tar xf /tmp/tool.tgz\n",
            &["3:6 DL3010 `tool.tgz` is copied into a layer, then extracted"],
        );
        fires(
            "DL3010",
            "FROM debian\nCOPY a.tar b.txt /src/\nRUN <<EOF\ntar --extract --file=/src/a.tar\nEOF\n",
            &["2:6 DL3010 `a.tar` is copied into a layer, then extracted"],
        );
    }

    #[test]
    fn points_at_the_copied_archive() {
        assert_eq!(
            spans(
                "DL3010",
                "FROM debian\nCOPY --chown=1 a.txt b.tgz /x/\nRUN tar xzf /x/b.tgz\n"
            ),
            ["b.tgz"]
        );
    }

    #[test]
    fn passes_when_nothing_is_extracted_or_add_cannot_help() {
        passes(
            "DL3010",
            "FROM debian\nCOPY app.tar.gz /tmp/\nRUN tar -tzf /tmp/app.tar.gz\n",
        );
        // ADD does not extract zip files
        passes(
            "DL3010",
            "FROM debian\nCOPY app.zip /tmp/\nRUN unzip /tmp/app.zip\n",
        );
        passes(
            "DL3010",
            "FROM debian\nCOPY --from=build /out/app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz\n",
        );
        passes(
            "DL3010",
            "FROM debian\nADD app.tar.gz /opt/\nRUN tar -xzf /opt/other.tar.gz\n",
        );
    }

    #[test]
    fn looks_at_the_stages_of_the_image() {
        passes(
            "DL3010",
            "FROM debian AS build\nCOPY src.tar.gz /\nRUN tar -xzf /src.tar.gz\nFROM scratch\nCOPY --from=build /out /\n",
        );
        fires(
            "DL3010",
            "FROM debian AS base\nCOPY src.tar.gz /\nRUN tar -xzf /src.tar.gz\nFROM base\nRUN true\n",
            &["2:6 DL3010 `src.tar.gz` is copied into a layer, then extracted"],
        );
    }
}
