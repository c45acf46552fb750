use super::lang::checks_lock_discipline;
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::CARGO_OPTIONS_WITH_VALUE;
use crate::syntax::{Instruction, Kind};

/// IL3304
pub struct CargoInstallUnlocked;

const META: Meta = Meta {
    code: "IL3304",
    name: "cargo-install-unlocked",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Security,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`cargo install <crate>` without `--locked` resolves the crate's dependencies afresh",
    doc: include_str!("../../../rules/cargo-install-unlocked.md"),
    target: Target::Dockerfile,
};

impl Rule for CargoInstallUnlocked {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        if !checks_lock_discipline(cx) {
            return;
        }
        let mut hits = Vec::new();
        for script in cx.scripts() {
            for cmd in &script.commands {
                let Some(args) = ShellArgs::of(cmd) else {
                    continue;
                };
                if args.program() != "cargo" {
                    continue;
                }
                let ops = args.operands(CARGO_OPTIONS_WITH_VALUE);
                // `cargo +nightly install …`
                let mut ops = ops.iter().filter(|w| !w.value.starts_with('+'));
                let Some(sub) = ops.next() else { continue };
                if sub.value != "install" {
                    continue;
                }
                let crates: Vec<_> = ops.filter(|w| w.value != ".").collect();
                let from_git = args.has(&[], &["git"]);
                if (crates.is_empty() && !from_git)
                    || args.has(&[], &["path", "locked", "frozen", "list"])
                {
                    continue;
                }
                let what = crates
                    .first()
                    .map_or_else(|| "a git crate".to_string(), |c| format!("`{}`", c.value));
                hits.push((args.name.span.cover(sub.span), sub.span, what));
            }
        }
        let Some((span, _, what)) = hits.first() else {
            return;
        };
        let mut r = cx
            .report(
                *span,
                format!(
                    "`cargo install` of {what} ignores the crate's `Cargo.lock` without `--locked`"
                ),
            )
            .help("add `--locked` (and pin the version with `<crate>@<version>`)")
            .fix(Fix::unsafe_(
                "add `--locked`",
                hits.iter()
                    .map(|(_, sub, _)| Edit::insert(sub.end, " --locked"))
                    .collect(),
            ));
        for (s, _, _) in hits.iter().skip(1) {
            r = r.label(*s, "not locked either");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_crate_installs() {
        fires(
            "IL3304",
            "FROM rust:1.80\nRUN cargo install cargo-chef@0.1.68\n",
            &[
                "2:5 IL3304 `cargo install` of `cargo-chef@0.1.68` ignores the crate's `Cargo.lock` without `--locked`",
            ],
        );
        fires(
            "IL3304",
            "FROM rust:1.80\nRUN cargo +nightly install --git https://github.com/x/y\n",
            &[
                "2:5 IL3304 `cargo install` of a git crate ignores the crate's `Cargo.lock` without `--locked`",
            ],
        );
    }

    #[test]
    fn passes_when_locked_or_local() {
        for run in [
            "cargo install --locked cargo-chef",
            "cargo install cargo-chef --frozen",
            "cargo install --path .",
            "cargo install --list",
            "cargo binstall ripgrep",
        ] {
            passes("IL3304", &format!("FROM rust:1.80\nRUN {run}\n"));
        }
    }

    #[test]
    fn once_per_instruction_and_fix() {
        let text = "FROM rust:1.80\nRUN cargo install sccache && \\\n    cargo install cargo-nextest --version 0.9.70\n";
        assert_eq!(findings("IL3304", text).len(), 1);
        assert_eq!(
            fixed("IL3304", text, Applicability::Unsafe),
            "FROM rust:1.80\nRUN cargo install --locked sccache && \\\n    cargo install --locked cargo-nextest --version 0.9.70\n"
        );
    }
}
