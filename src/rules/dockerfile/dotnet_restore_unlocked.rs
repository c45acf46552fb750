use super::lang::inputs::{Inputs, Presence};
use super::lang::{env, lock_checked_steps};
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::deps::Tool;
use crate::syntax::{Instruction, Kind};

/// IL3310
pub struct DotnetRestoreUnlocked;

const META: Meta = Meta {
    code: "IL3310",
    name: "dotnet-restore-unlocked",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Maintainability,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`dotnet restore` runs without locked mode although `packages.lock.json` is part of the build",
    doc: include_str!("../../../rules/dotnet-restore-unlocked.md"),
    target: Target::Dockerfile,
};

/// Whether a word sets `RestoreLockedMode` to true (`-p:`, `/p:`,
/// `--property:`).
fn sets_locked_mode(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    ["-p:", "/p:", "--property:", "-property:"]
        .iter()
        .any(|p| lower.starts_with(p))
        && lower.contains("restorelockedmode=true")
}

impl Rule for DotnetRestoreUnlocked {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let Some((index, steps)) = lock_checked_steps(cx) else {
            return;
        };
        let hits: Vec<_> = steps
            .into_iter()
            .filter(|s| {
                s.step.tool == Tool::Dotnet
                    && !s.args.has(&[], &["locked-mode"])
                    && !s.args.words.iter().any(|w| sets_locked_mode(&w.value))
                    && !env::is_on(cx, index, s.script, s.ci, "RestoreLockedMode")
            })
            .map(|s| s.step)
            .collect();
        let Some(first) = hits.first() else { return };
        let Presence::Copied(lock) =
            Inputs::before(cx, index).presence(cx, &["packages.lock.json"], None)
        else {
            return;
        };
        let edits = hits
            .iter()
            .map(|s| {
                let flag = if s.label == "dotnet restore" {
                    " --locked-mode"
                } else {
                    " -p:RestoreLockedMode=true"
                };
                Edit::insert(s.subcommand.end, flag)
            })
            .collect();
        cx.report(
            first.span,
            format!(
                "`{}` can update `packages.lock.json` instead of failing on a mismatch",
                first.label
            ),
        )
        .help(
            "add `--locked-mode` to the restore (`-p:RestoreLockedMode=true` on build and publish)",
        )
        .label(lock, "the lockfile is part of the build")
        .fix(Fix::unsafe_("restore in locked mode", edits))
        .label_each(hits.iter().skip(1).map(|s| s.span), "restores unlocked too");
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_when_the_lock_is_copied() {
        fires(
            "IL3310",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY App.csproj packages.lock.json ./\nRUN dotnet restore\n",
            &[
                "3:5 IL3310 `dotnet restore` can update `packages.lock.json` instead of failing on a mismatch",
            ],
        );
    }

    #[test]
    fn passes_when_locked_or_without_a_lock() {
        for text in [
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY *.csproj packages.lock.json ./\nRUN dotnet restore --locked-mode\n",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY *.csproj packages.lock.json ./\nRUN dotnet publish -p:RestoreLockedMode=true\n",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY *.csproj ./\nRUN dotnet restore\n",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY . .\nRUN dotnet restore\n",
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY *.csproj packages.lock.json ./\nRUN dotnet publish --no-restore\n",
        ] {
            passes("IL3310", text);
        }
    }

    #[test]
    fn fix_locks_each_restore() {
        assert_eq!(
            fixed(
                "IL3310",
                "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY . .\nCOPY packages.lock.json .\nRUN dotnet restore && dotnet publish -c Release\n",
                Applicability::Unsafe
            ),
            "FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY . .\nCOPY packages.lock.json .\nRUN dotnet restore --locked-mode && dotnet publish -p:RestoreLockedMode=true -c Release\n"
        );
    }
}
