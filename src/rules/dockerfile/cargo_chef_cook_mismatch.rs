use crate::fix::{Edit, Fix};
use crate::graph::{Stage, join_path};
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::args::Args as ShellArgs;
use crate::shell::deps::{self, CARGO_OPTIONS_WITH_VALUE, StepKind, Tool};
use crate::source::Span;

/// IL3104
pub struct CargoChefCookMismatch;

const META: Meta = Meta {
    code: "IL3104",
    name: "cargo-chef-cook-mismatch",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Cache,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "`cargo chef cook` and the build that follows it use different settings",
    doc: include_str!("../../../rules/cargo-chef-cook-mismatch.md"),
    target: Target::Dockerfile,
};

/// The settings that decide which compiled dependencies cargo reuses.
#[derive(Clone, Debug, Default)]
struct Settings {
    /// The profile name, and the words that chose it.
    profile: String,
    profile_words: Vec<String>,
    target: Option<String>,
    features: Vec<String>,
    feature_words: Vec<String>,
    all_features: bool,
    no_default_features: bool,
    /// The directory it runs in.
    dir: String,
    /// Where options go (after the subcommand).
    insert_at: u32,
}

fn settings(cmd: &SimpleCommand, step: &deps::DepStep, dir: String, install: bool) -> Settings {
    let mut s = Settings {
        profile: if install { "release" } else { "dev" }.to_string(),
        dir,
        insert_at: step.subcommand.end,
        ..Settings::default()
    };
    let Some(args) = ShellArgs::of(cmd) else {
        return s;
    };
    let words = args.words;
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let v = w.value.as_str();
        let (name, inline) = match v.split_once('=') {
            Some((n, val)) if n.starts_with("--") => (n, Some(val.to_string())),
            _ => (v, None),
        };
        let takes_value = CARGO_OPTIONS_WITH_VALUE.contains(&name);
        let value = if takes_value && inline.is_none() {
            i += 1;
            words.get(i).map(|n| n.value.clone())
        } else {
            inline
        };
        let raw = if takes_value && !v.contains('=') {
            format!("{v} {}", value.clone().unwrap_or_default())
        } else {
            v.to_string()
        };
        match name {
            "--release" | "-r" => {
                s.profile = "release".into();
                s.profile_words = vec![raw];
            }
            "--debug" if install => {
                s.profile = "dev".into();
                s.profile_words = vec![raw];
            }
            "--profile" => {
                if let Some(p) = value {
                    s.profile = p;
                    s.profile_words = vec![raw];
                }
            }
            "--target" => s.target = value,
            "--features" | "-F" => {
                s.features.extend(
                    value
                        .unwrap_or_default()
                        .split([',', ' '])
                        .filter(|f| !f.is_empty())
                        .map(str::to_string),
                );
                s.feature_words.push(raw);
            }
            "--all-features" => {
                s.all_features = true;
                s.feature_words.push(raw);
            }
            "--no-default-features" => {
                s.no_default_features = true;
                s.feature_words.push(raw);
            }
            _ => {}
        }
        i += 1;
    }
    s.features.sort();
    s.features.dedup();
    s
}

/// The directory a command runs in: the `WORKDIR`, then a `cd` before it
/// in the same script.
fn directory(cx: &Context<'_>, index: usize, script: &crate::shell::Script, ci: usize) -> String {
    let mut dir = cx
        .build()
        .state(index)
        .and_then(|s| s.workdir.as_deref().map(str::to_string))
        .unwrap_or_else(|| "/".into());
    for c in script.commands.iter().take(ci) {
        if c.is("cd")
            && c.context == script.commands[ci].context
            && let Some(to) = c.args.first()
            && !to.dynamic
        {
            dir = join_path(Some(&dir), &to.value);
        }
    }
    dir
}

/// A cooked setting that the build does not share.
struct Mismatch {
    what: &'static str,
    /// Words to add to `cook` to match, if cook left the setting out.
    add: Option<String>,
}

fn compare(cook: &Settings, build: &Settings) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if cook.profile != build.profile {
        out.push(Mismatch {
            what: "profile",
            add: (cook.profile_words.is_empty() && !build.profile_words.is_empty())
                .then(|| build.profile_words.join(" ")),
        });
    }
    if cook.target != build.target {
        out.push(Mismatch {
            what: "target",
            add: match (&cook.target, &build.target) {
                (None, Some(t)) => Some(format!("--target {t}")),
                _ => None,
            },
        });
    }
    if cook.features != build.features
        || cook.all_features != build.all_features
        || cook.no_default_features != build.no_default_features
    {
        out.push(Mismatch {
            what: "features",
            add: cook
                .feature_words
                .is_empty()
                .then(|| build.feature_words.join(" ")),
        });
    }
    if cook.dir != build.dir {
        out.push(Mismatch {
            what: "working directory",
            add: None,
        });
    }
    out
}

impl Rule for CargoChefCookMismatch {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_stage(&self, cx: &mut Context<'_>, stage: &Stage) {
        let build = cx.build();
        let mut chain = build.chain(stage.index);
        chain.reverse();
        let mut cook: Option<(Settings, Span)> = None;
        for si in chain {
            let own = si == stage.index;
            for i in build.stages[si].instructions() {
                for script in cx.scripts_of(i) {
                    for (ci, cmd) in script.commands.iter().enumerate() {
                        let Some(step) = deps::classify(cmd) else {
                            continue;
                        };
                        if step.tool != Tool::Cargo {
                            continue;
                        }
                        let dir = directory(cx, i, script, ci);
                        if step.label == "cargo chef cook" {
                            cook = Some((settings(cmd, &step, dir, false), step.span));
                            continue;
                        }
                        let install = step.label == "cargo install";
                        let is_build = step.kind == StepKind::Build
                            && (install
                                || step.label.ends_with(" build")
                                || step.label.ends_with(" b")
                                || step.label.ends_with(" zigbuild"));
                        let Some((cooked, cook_span)) = &cook else {
                            continue;
                        };
                        if !is_build || !own {
                            continue;
                        }
                        let built = settings(cmd, &step, dir, install);
                        let mismatches = compare(cooked, &built);
                        if mismatches.is_empty() {
                            continue;
                        }
                        let what: Vec<&str> = mismatches.iter().map(|m| m.what).collect();
                        let fix = mismatches
                            .iter()
                            .map(|m| m.add.clone())
                            .collect::<Option<Vec<String>>>()
                            .map(|adds| {
                                Fix::unsafe_(
                                    "give `cargo chef cook` the build's options",
                                    vec![Edit::insert(
                                        cooked.insert_at,
                                        format!(" {}", adds.join(" ")),
                                    )],
                                )
                            });
                        cx.report(
                            step.span,
                            format!(
                                "`{}` differs from `cargo chef cook` in {}: dependencies build twice",
                                step.label,
                                what.join(", ")
                            ),
                        )
                        .help("give `cargo chef cook` the same profile, target and features, and run it in the same directory")
                        .label(*cook_span, "dependencies are cooked here")
                        .maybe_fix(fix);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    fn chef(cook: &str, build: &str) -> String {
        format!(
            "FROM rust:1.80 AS builder\nWORKDIR /app\nCOPY recipe.json .\nRUN {cook}\nCOPY . .\nRUN {build}\n"
        )
    }

    #[test]
    fn fires_on_a_profile_mismatch() {
        fires(
            "IL3104",
            &chef(
                "cargo chef cook --recipe-path recipe.json",
                "cargo build --release --bin app",
            ),
            &[
                "6:5 IL3104 `cargo build` differs from `cargo chef cook` in profile: dependencies build twice",
            ],
        );
        fires(
            "IL3104",
            &chef(
                "cargo chef cook --release --recipe-path recipe.json",
                "cargo build --release --target x86_64-unknown-linux-musl --features tls",
            ),
            &[
                "6:5 IL3104 `cargo build` differs from `cargo chef cook` in target, features: dependencies build twice",
            ],
        );
    }

    #[test]
    fn passes_when_settings_match() {
        passes(
            "IL3104",
            &chef(
                "cargo chef cook --release --recipe-path recipe.json",
                "cargo build --release --bin app",
            ),
        );
        passes(
            "IL3104",
            &chef(
                "cargo chef cook --profile release --locked --recipe-path recipe.json",
                "cargo build --release --offline -j 4",
            ),
        );
        passes(
            "IL3104",
            &chef(
                "cargo chef cook --release --recipe-path recipe.json",
                "cargo install --path . --locked",
            ),
        );
    }

    #[test]
    fn compares_working_directories() {
        fires(
            "IL3104",
            "FROM rust:1.80\nWORKDIR /app\nRUN cargo chef cook --release --recipe-path recipe.json\nCOPY . /src\nRUN cd /src && cargo build --release\n",
            &[
                "5:16 IL3104 `cargo build` differs from `cargo chef cook` in working directory: dependencies build twice",
            ],
        );
    }

    #[test]
    fn fix_copies_the_options_onto_cook() {
        assert_eq!(
            fixed(
                "IL3104",
                &chef(
                    "cargo chef cook --recipe-path recipe.json",
                    "cargo build --release --target aarch64-unknown-linux-gnu"
                ),
                Applicability::Unsafe
            ),
            chef(
                "cargo chef cook --release --target aarch64-unknown-linux-gnu --recipe-path recipe.json",
                "cargo build --release --target aarch64-unknown-linux-gnu"
            )
        );
        // a conflicting profile is left to the user
        let text = chef(
            "cargo chef cook --profile dist --recipe-path recipe.json",
            "cargo build --release",
        );
        assert_eq!(fixed("IL3104", &text, Applicability::Unsafe), text);
    }
}
