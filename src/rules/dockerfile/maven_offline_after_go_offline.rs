use super::earlier_steps::earlier_commands;
use crate::rules::*;
use crate::shell::args::Args;
use crate::shell::{ShellWord, SimpleCommand};
use crate::syntax::{Instruction, Kind};

/// IL3408
pub struct MavenOfflineAfterGoOffline;

const META: Meta = Meta {
    code: "IL3408",
    name: "maven-offline-after-go-offline",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "An offline Maven build relies on `dependency:go-offline`, which misses plugin dependencies",
    doc: include_str!("../../../rules/maven-offline-after-go-offline.md"),
    target: Target::Dockerfile,
};

/// The arguments of a Maven run: `mvn`, `./mvnw`, `sh mvnw`.
fn maven(cmd: &SimpleCommand) -> Option<&[ShellWord]> {
    let a = Args::of(cmd)?;
    match a.program() {
        "mvn" | "mvnw" | "mvnw.cmd" => Some(a.words),
        "sh" | "bash" => {
            let (first, rest) = a.words.split_first()?;
            first.value.ends_with("mvnw").then_some(rest)
        }
        _ => None,
    }
}

/// The word that makes a Maven run offline: `-o`, `--offline`, or a
/// cluster of flags without values such as `-Bo`.
fn offline(words: &[ShellWord]) -> Option<&ShellWord> {
    words.iter().find(|w| {
        let v = w.value.as_str();
        v == "--offline"
            || v.strip_prefix('-').is_some_and(|s| {
                !s.starts_with('-')
                    && s.contains('o')
                    && s.chars().all(|c| "BqUeXoNCcV".contains(c))
            })
    })
}

/// What an earlier Maven run does to the local repository.
enum Fetch {
    /// `dependency:go-offline`
    GoOffline,
    /// a fuller pre-fetch or an online build: resolves what a build needs
    Full,
    /// nothing that resolves (`mvn -v`, offline runs)
    Nothing,
}

/// `dependency:go-offline`, also with the plugin's full coordinates.
fn is_go_offline(goal: &str) -> bool {
    goal.ends_with(":go-offline") && goal.contains("dependency")
}

fn fetch(words: &[ShellWord]) -> Fetch {
    if offline(words).is_some()
        || words
            .iter()
            .all(|w| matches!(w.value.as_str(), "-v" | "--version" | "-h" | "--help"))
    {
        return Fetch::Nothing;
    }
    let goals: Vec<&str> = words
        .iter()
        .map(|w| w.value.as_str())
        .filter(|v| !v.starts_with('-'))
        .collect();
    if goals.iter().any(|g| g.contains("go-offline-maven-plugin")) {
        return Fetch::Full;
    }
    if !goals.is_empty() && goals.iter().all(|g| is_go_offline(g)) {
        return Fetch::GoOffline;
    }
    Fetch::Full
}

impl Rule for MavenOfflineAfterGoOffline {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        if cx.in_onbuild() {
            return;
        }
        // a cache mount keeps what earlier online builds resolved
        if ins.flags_named("mount").any(|f| {
            let m = crate::syntax::Mount::from_flag(f);
            m.discards_writes() && m.target().is_some_and(|t| t.contains(".m2"))
        }) {
            return;
        }
        for (si, script) in cx.scripts().iter().enumerate() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(words) = maven(cmd) else { continue };
                let Some(flag) = offline(words) else { continue };
                let mut go_offline = None;
                let mut full = false;
                for s in earlier_commands(cx, si, ci) {
                    let Some(w) = maven(s.cmd) else { continue };
                    match fetch(w) {
                        Fetch::GoOffline => {
                            go_offline = go_offline.or_else(|| {
                                w.iter().find(|x| is_go_offline(&x.value)).map(|x| x.span)
                            });
                        }
                        Fetch::Full => full = true,
                        Fetch::Nothing => {}
                    }
                }
                let (Some(prefetch), false) = (go_offline, full) else {
                    continue;
                };
                let _ = cx
                    .report(
                        flag.span,
                        "offline build after `dependency:go-offline`, which misses plugin dependencies",
                    )
                    .help("drop the offline flag and cache-mount `/root/.m2`, or pre-fetch with `de.qaware.maven:go-offline-maven-plugin`")
                    .label(prefetch, "the only pre-fetch");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_after_go_offline() {
        fires(
            "IL3408",
            "FROM maven:3-eclipse-temurin-21 AS build\nCOPY pom.xml .\nRUN mvn -B dependency:go-offline\nCOPY src src\nRUN mvn -B -o package -DskipTests\n",
            &[
                "5:12 IL3408 offline build after `dependency:go-offline`, which misses plugin dependencies",
            ],
        );
        assert_eq!(
            spans(
                "IL3408",
                "FROM eclipse-temurin:21-jdk AS deps\nCOPY mvnw pom.xml ./\nCOPY .mvn .mvn\nRUN ./mvnw org.apache.maven.plugins:maven-dependency-plugin:3.6.1:go-offline\nFROM deps\nCOPY . .\nRUN <<EOF\n./mvnw --offline \\\n  -Pprod package\nEOF\n"
            ),
            ["--offline"]
        );
        assert_eq!(
            spans(
                "IL3408",
                "FROM maven:3\nRUN mvn dependency:go-offline && \\\n    # build\n    mvn -Bo verify\n"
            ),
            ["-Bo"]
        );
    }

    #[test]
    fn passes_otherwise() {
        for text in [
            "FROM maven:3\nRUN mvn dependency:go-offline\nRUN mvn -B package\n",
            "FROM maven:3\nRUN mvn dependency:go-offline\nRUN mvn -B -Pprod package\n",
            "FROM maven:3\nRUN mvn de.qaware.maven:go-offline-maven-plugin:resolve-dependencies\nRUN mvn -o package\n",
            "FROM maven:3\nRUN mvn dependency:go-offline\nRUN mvn package\nRUN mvn -o verify\n",
            "FROM maven:3\nRUN mvn dependency:go-offline\nRUN --mount=type=cache,target=/root/.m2 mvn -o package\n",
            "FROM maven:3\nRUN mvn -o package\n",
            "FROM maven:3 AS deps\nRUN mvn dependency:go-offline\nFROM maven:3\nRUN mvn -o package\n",
            "FROM maven:3\nRUN mvn dependency:go-offline\nONBUILD RUN mvn -o package\n",
        ] {
            passes("IL3408", text);
        }
    }
}
