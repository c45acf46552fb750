use crate::graph::Build;
use crate::rules::*;
use crate::shell::apt::apt_any;
use crate::shell::args::Args as ShellArgs;
use crate::syntax::{Kind, Mount};

/// DL3009
pub struct AptListsNotRemoved;

const META: Meta = Meta {
    code: "DL3009",
    name: "apt-lists-not-removed",
    aliases: &["DKL-DI-0005"],
    severity: Severity::Info,
    category: Category::Size,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`apt-get update` leaves the package lists in the image",
    doc: include_str!("../../../rules/apt-lists-not-removed.md"),
    target: Target::Dockerfile,
};

/// Whether a path is the apt lists directory (or a parent that holds it).
fn is_lists_path(p: &str) -> bool {
    let p = p.trim_end_matches(['*', '/']).trim_end_matches('/');
    matches!(
        p,
        "/var/lib/apt/lists" | "/var/lib/apt" | "var/lib/apt/lists"
    )
}

impl Rule for AptListsNotRemoved {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        // Only the layers of the image count: stages in the target's FROM
        // chain. Builder stages copied from are thrown away.
        let Some(target) = build.target else { return };
        for si in build.chain(target) {
            let stage = &build.stages[si];
            for i in stage.instructions() {
                let Some(ins) = cx.instruction(i) else {
                    continue;
                };
                if ins.kind != Kind::Run {
                    continue;
                }
                // a cache or tmpfs mount keeps the lists out of the layer
                let mounted = ins.flags_named("mount").any(|f| {
                    let m = Mount::from_flag(f);
                    m.discards_writes() && m.target().is_some_and(is_lists_path)
                });
                if mounted {
                    continue;
                }
                let scripts = cx.scripts_of(i);
                let commands = || scripts.iter().flat_map(|s| s.commands.iter());
                let update = commands().find_map(|c| {
                    let apt = apt_any(c)?;
                    apt.is("update").then(|| {
                        (
                            c.name.as_ref().map(|n| n.span),
                            apt.subcommand.map(|s| s.span),
                            apt.args.program().to_string(),
                        )
                    })
                });
                let Some((Some(name), Some(sub), program)) = update else {
                    continue;
                };
                let cleaned = commands().any(|c| {
                    if let Some(apt) = apt_any(c)
                        && (apt.is("dist-clean") || apt.is("distclean"))
                    {
                        return true;
                    }
                    let Some(args) = ShellArgs::of(c) else {
                        return false;
                    };
                    match args.program() {
                        "rm" => args.operands(&[]).iter().any(|w| is_lists_path(&w.value)),
                        "find" => {
                            args.words
                                .iter()
                                .take_while(|w| !w.value.starts_with('-'))
                                .any(|w| is_lists_path(&w.value))
                                && args
                                    .words
                                    .iter()
                                    .any(|w| w.value == "-delete" || w.value == "rm")
                        }
                        _ => false,
                    }
                });
                if !cleaned {
                    cx.report(
                        name.cover(sub),
                        format!("the package lists downloaded by `{program} update` stay in the image"),
                    )
                        .help("end the same `RUN` with `rm -rf /var/lib/apt/lists/*`, or mount a cache at `/var/lib/apt/lists`");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_when_lists_stay() {
        fires(
            "DL3009",
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
            &["2:5 DL3009 the package lists downloaded by `apt-get update` stay in the image"],
        );
        // a later RUN cannot take them out of the earlier layer
        fires(
            "DL3009",
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n",
            &["2:5 DL3009 the package lists downloaded by `apt-get update` stay in the image"],
        );
    }

    #[test]
    fn passes_with_cleanup_or_mounts() {
        passes(
            "DL3009",
            "FROM debian\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n",
        );
        passes(
            "DL3009",
            "FROM debian\nRUN apt-get update \\\n  && apt-get install -y x \\\n  && rm -r /var/lib/apt/lists\n",
        );
        passes(
            "DL3009",
            "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y x\n",
        );
        passes(
            "DL3009",
            "FROM debian\nRUN --mount=type=tmpfs,target=/var/lib/apt apt-get update && apt-get install -y x\n",
        );
        passes(
            "DL3009",
            "FROM debian\nRUN apt-get update && apt-get install -y x && apt-get dist-clean\n",
        );
    }

    #[test]
    fn builder_stages_are_not_reported() {
        passes(
            "DL3009",
            "FROM debian AS build\nRUN apt-get update && apt-get install -y gcc\nFROM scratch\nCOPY --from=build /out /out\n",
        );
        fires(
            "DL3009",
            "FROM debian AS base\nRUN apt-get update && apt-get install -y curl\nFROM base\nRUN true\n",
            &["2:5 DL3009 the package lists downloaded by `apt-get update` stay in the image"],
        );
    }

    #[test]
    fn fires_in_heredocs() {
        fires(
            "DL3009",
            "FROM debian\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\n",
            &["3:1 DL3009 the package lists downloaded by `apt-get update` stay in the image"],
        );
    }
}
