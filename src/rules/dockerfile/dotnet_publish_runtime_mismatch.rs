use super::earlier_steps::earlier_commands;
use crate::rules::*;
use crate::shell::args::Args;
use crate::shell::{ShellWord, SimpleCommand};
use crate::syntax::{Instruction, Kind};

/// IL3407
pub struct DotnetPublishRuntimeMismatch;

const META: Meta = Meta {
    code: "IL3407",
    name: "dotnet-publish-runtime-mismatch",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A `--no-restore` publish selects another runtime than the `dotnet restore` before it",
    doc: include_str!("../../../rules/dotnet-publish-runtime-mismatch.md"),
    target: Target::Dockerfile,
};

/// How a `dotnet` command selects the runtime, as written (after the
/// build's variables are expanded).
#[derive(Default, Debug)]
struct Runtime {
    rid: Option<String>,
    arch: Option<String>,
    os: Option<String>,
    current: bool,
    /// The first word that selects it.
    word: Option<ShellWord>,
}

impl Runtime {
    fn key(&self) -> (&Option<String>, &Option<String>, &Option<String>, bool) {
        (&self.rid, &self.arch, &self.os, self.current)
    }

    fn is_empty(&self) -> bool {
        self.rid.is_none() && self.arch.is_none() && self.os.is_none() && !self.current
    }

    /// Whether the two select the runtime in the same way (`-r` against
    /// `-r`, `-a` against `-a`), so their values compare.
    fn same_form(&self, other: &Runtime) -> bool {
        self.rid.is_some() == other.rid.is_some()
            && self.arch.is_some() == other.arch.is_some()
            && self.os.is_some() == other.os.is_some()
            && self.current == other.current
    }
}

fn runtime(cx: &Context<'_>, instruction: usize, a: &Args<'_>) -> Runtime {
    let expand = |v: &str| cx.expand_at(instruction, v);
    let mut r = Runtime::default();
    let words = a.words;
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        let (key, inline) = match v.split_once('=') {
            Some((k, val)) => (k, Some(val)),
            None => (v, None),
        };
        let lower = key.to_ascii_lowercase();
        let property = ["-p:", "/p:", "--property:", "-property:", "/property:"]
            .iter()
            .find_map(|p| lower.strip_prefix(p));
        let mut step = 1;
        let value = |step: &mut usize| match inline {
            Some(val) => Some(expand(val)),
            None => {
                *step = 2;
                words.get(i + 1).map(|n| expand(&n.value))
            }
        };
        let selects = match (key, property) {
            (_, Some("runtimeidentifier")) => {
                r.rid = inline.map(expand);
                true
            }
            ("-r" | "--runtime", _) => {
                r.rid = value(&mut step);
                true
            }
            ("-a" | "--arch", _) => {
                r.arch = value(&mut step);
                true
            }
            ("--os", _) => {
                r.os = value(&mut step);
                true
            }
            ("--use-current-runtime" | "--ucr", _) => {
                r.current = true;
                true
            }
            _ => false,
        };
        if selects && r.word.is_none() {
            r.word = Some(w.clone());
        }
        i += step;
    }
    r
}

/// The `dotnet` subcommand word of a command.
fn dotnet_sub<'a>(cmd: &'a SimpleCommand) -> Option<(Args<'a>, &'a ShellWord)> {
    let a = Args::of(cmd)?;
    if a.program() != "dotnet" {
        return None;
    }
    let sub = a.words.first()?;
    Some((a, sub))
}

impl Rule for DotnetPublishRuntimeMismatch {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        if cx.in_onbuild() {
            return;
        }
        let Some(current) = cx.instruction_index() else {
            return;
        };
        if cx.state().is_some_and(|s| {
            crate::syntax::lex::Env::get(s.scope.as_ref(), "RuntimeIdentifier").is_some()
        }) {
            return;
        }
        let mut hits = Vec::new();
        for (si, script) in cx.scripts().iter().enumerate() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some((a, sub)) = dotnet_sub(cmd) else {
                    continue;
                };
                if !matches!(sub.value.as_str(), "publish" | "build" | "test" | "pack") {
                    continue;
                }
                let Some(no_restore) = a.words.iter().find(|w| w.value == "--no-restore") else {
                    continue;
                };
                // the last restore before it
                let steps = earlier_commands(cx, si, ci);
                let Some((restore_at, restore_args, restore_sub)) =
                    steps.iter().rev().find_map(|s| {
                        let (ra, rs) = dotnet_sub(s.cmd)?;
                        (rs.value == "restore").then_some((s.instruction, ra, rs))
                    })
                else {
                    continue;
                };
                let restored = runtime(cx, restore_at, &restore_args);
                let published = runtime(cx, current, &a);
                // a restore for a runtime also restores the portable target
                let differs = if published.is_empty() {
                    false
                } else if restored.is_empty() {
                    true
                } else {
                    restored.same_form(&published) && restored.key() != published.key()
                };
                if !differs {
                    continue;
                }
                let at = published.word.as_ref().map_or(no_restore.span, |w| w.span);
                hits.push((at, sub.value.clone(), restore_sub.span, restored.is_empty()));
            }
        }
        let Some((at, sub, restore, plain)) = hits.first().cloned() else {
            return;
        };
        let message = if plain {
            format!("`dotnet {sub} --no-restore` selects a runtime that `dotnet restore` did not")
        } else {
            format!("`dotnet {sub} --no-restore` selects another runtime than `dotnet restore`")
        };
        let mut r = cx
            .report(at, message)
            .help("pass the same `-a`/`-r`/`--os` options to `dotnet restore` and this command")
            .label(restore, "restored for this runtime selection");
        for (span, _, _, _) in hits.iter().skip(1) {
            r = r.label(*span, "another mismatching command");
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_when_the_selection_differs() {
        fires(
            "IL3407",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nARG TARGETARCH\nCOPY *.csproj .\nRUN dotnet restore\nCOPY . .\nRUN dotnet publish -a $TARGETARCH --no-restore -o /app\n",
            &[
                "6:20 IL3407 `dotnet publish --no-restore` selects a runtime that `dotnet restore` did not",
            ],
        );
        fires(
            "IL3407",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nRUN dotnet restore -r linux-musl-x64\nCOPY . .\nRUN dotnet build -c Release --no-restore \\\n    # the image's runtime\n    -r linux-x64 && dotnet test --no-restore -r linux-x64\n",
            &[
                "6:5 IL3407 `dotnet build --no-restore` selects another runtime than `dotnet restore`",
            ],
        );
        assert_eq!(
            spans(
                "IL3407",
                "FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nRUN dotnet restore\nFROM build\nRUN <<EOF\ndotnet publish --no-restore -p:RuntimeIdentifier=linux-x64\nEOF\n"
            ),
            ["-p:RuntimeIdentifier=linux-x64"]
        );
    }

    #[test]
    fn passes_when_consistent_or_restoring() {
        for text in [
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nARG TARGETARCH\nRUN dotnet restore -a $TARGETARCH\nCOPY . .\nRUN dotnet publish -a $TARGETARCH --no-restore -o /app\n",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN dotnet restore -r linux-x64\nRUN dotnet publish --runtime=linux-x64 --no-restore\n",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN dotnet restore -r linux-x64\nRUN dotnet publish --no-restore -o /app\n",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN dotnet restore -r linux-x64\nRUN dotnet publish -a x64 --os linux --no-restore\n",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN dotnet restore\nRUN dotnet publish -r linux-x64 -o /app\n",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN dotnet publish -r linux-x64 --no-restore\n",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nRUN dotnet restore\nONBUILD RUN dotnet publish -r linux-x64 --no-restore\n",
        ] {
            passes("IL3407", text);
        }
    }
}
