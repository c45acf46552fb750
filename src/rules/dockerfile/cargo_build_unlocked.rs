use super::lang::inputs::{Inputs, Presence};
use super::lang::{env, lock_checked_steps};
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::deps::Tool;
use crate::syntax::{Instruction, Kind};

/// IL3303
pub struct CargoBuildUnlocked;

const META: Meta = Meta {
    code: "IL3303",
    name: "cargo-build-unlocked",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`cargo build` runs without `--locked` although `Cargo.lock` is part of the build",
    doc: include_str!("../../../rules/cargo-build-unlocked.md"),
    target: Target::Dockerfile,
};

/// The cargo commands that resolve the dependency graph and build.
fn is_locking_step(label: &str) -> bool {
    let sub = label.rsplit(' ').next().unwrap_or("");
    matches!(
        sub,
        "build" | "b" | "test" | "t" | "run" | "r" | "install" | "cook" | "zigbuild"
    )
}

impl Rule for CargoBuildUnlocked {
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
                s.step.tool == Tool::Cargo
                    && is_locking_step(&s.step.label)
                    && !s.args.has(&[], &["locked", "frozen", "offline"])
                    && !env::is_on(cx, index, s.script, s.ci, "CARGO_NET_OFFLINE")
            })
            .map(|s| s.step)
            .collect();
        let Some(first) = hits.first() else { return };
        let Presence::Copied(lock) = Inputs::before(cx, index).lock(cx, Tool::Cargo) else {
            return;
        };
        cx.report(
            first.span,
            format!(
                "`{}` can update `Cargo.lock` instead of failing when it is out of date",
                first.label
            ),
        )
        .help("add `--locked` so the build uses exactly the versions in `Cargo.lock`")
        .label(lock, "the lockfile is part of the build")
        .fix(Fix::unsafe_(
            "add `--locked`",
            hits.iter()
                .map(|s| Edit::insert(s.subcommand.end, " --locked"))
                .collect(),
        ))
        .label_each(hits.iter().skip(1).map(|s| s.span), "not locked either");
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_when_the_lockfile_is_copied() {
        fires(
            "IL3303",
            "FROM rust:1.80\nCOPY Cargo.toml Cargo.lock ./\nCOPY src ./src\nRUN cargo build --release\n",
            &[
                "4:5 IL3303 `cargo build` can update `Cargo.lock` instead of failing when it is out of date",
            ],
        );
        fires(
            "IL3303",
            "FROM rust:1.80\nCOPY --from=planner /app/recipe.json recipe.json\nRUN cargo chef cook --release --recipe-path recipe.json\n",
            &[
                "3:5 IL3303 `cargo chef cook` can update `Cargo.lock` instead of failing when it is out of date",
            ],
        );
    }

    #[test]
    fn passes_when_locked_or_without_a_visible_lock() {
        for text in [
            "FROM rust:1.80\nCOPY Cargo.toml Cargo.lock ./\nRUN cargo build --locked --release\n",
            "FROM rust:1.80\nCOPY Cargo.* ./\nRUN cargo build --frozen\n",
            "FROM rust:1.80\nCOPY Cargo.* ./\nRUN cargo build --offline\n",
            "FROM rust:1.80\nENV CARGO_NET_OFFLINE=true\nCOPY Cargo.* ./\nRUN cargo build\n",
            "FROM rust:1.80\nCOPY . .\nRUN cargo build --release\n",
            "FROM rust:1.80\nCOPY Cargo.* ./\nRUN cargo check\n",
            "FROM rust:1.80\nCOPY Cargo.* ./\nRUN cargo install ripgrep\n",
        ] {
            passes("IL3303", text);
        }
    }

    #[test]
    fn fix_adds_locked() {
        assert_eq!(
            fixed(
                "IL3303",
                "FROM rust:1.80\nCOPY Cargo.toml Cargo.lock ./\nRUN cargo build --release && \\\n    cargo test\n",
                Applicability::Unsafe
            ),
            "FROM rust:1.80\nCOPY Cargo.toml Cargo.lock ./\nRUN cargo build --locked --release && \\\n    cargo test --locked\n"
        );
        assert_eq!(
            fixed(
                "IL3303",
                "FROM rust:1.80\nCOPY Cargo.lock Cargo.toml ./\nRUN cargo install --path .\n",
                Applicability::Unsafe
            ),
            "FROM rust:1.80\nCOPY Cargo.lock Cargo.toml ./\nRUN cargo install --locked --path .\n"
        );
    }
}
