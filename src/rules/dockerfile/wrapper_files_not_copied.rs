use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::syntax::{Instruction, Kind};
use crate::syntax::{Mount, MountKind};

/// IL3409
pub struct WrapperFilesNotCopied;

const META: Meta = Meta {
    code: "IL3409",
    name: "wrapper-files-not-copied",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`./gradlew` or `./mvnw` runs without the wrapper directory it needs",
    doc: include_str!("../../../rules/wrapper-files-not-copied.md"),
    target: Target::Dockerfile,
};

/// A build tool wrapper: its script and the directory it needs.
struct Wrapper {
    script: &'static str,
    dir: &'static str,
    top: &'static str,
}

const WRAPPERS: &[Wrapper] = &[
    Wrapper {
        script: "gradlew",
        dir: "gradle/wrapper",
        top: "gradle",
    },
    Wrapper {
        script: "mvnw",
        dir: ".mvn/wrapper",
        top: ".mvn",
    },
];

fn base(path: &str) -> &str {
    let p = path.trim_end_matches('/');
    p.rsplit('/').next().unwrap_or(p)
}

/// The wrapper a command runs: `./gradlew`, `sh gradlew`, `bash ./mvnw`.
fn runs(cmd: &SimpleCommand) -> Option<&'static Wrapper> {
    let name = cmd.name.as_ref()?;
    let script = if matches!(base(&name.value), "sh" | "bash") {
        cmd.args.first()?.value.as_str()
    } else {
        name.value.as_str()
    };
    WRAPPERS.iter().find(|w| base(script) == w.script)
}

/// Whether a copy source brings the wrapper directory: the whole context,
/// a glob, the tool's directory or anything inside it.
fn brings_dir(source: &str, w: &Wrapper) -> bool {
    let s = source.trim_start_matches("./").trim_end_matches('/');
    s.is_empty()
        || s == "."
        || s.contains('*') && !s.contains('/')
        || s.contains('$')
        || s == w.top
        || s.starts_with(&format!("{}/", w.top))
        || w.dir.starts_with(s) && !s.is_empty()
}

impl Rule for WrapperFilesNotCopied {
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
        let (Some(current), Some(state)) = (cx.instruction_index(), cx.state()) else {
            return;
        };
        // a bind mount may bring anything
        if ins
            .flags
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("mount"))
            .any(|f| Mount::from_flag(f).kind == MountKind::Bind)
        {
            return;
        }
        let build = cx.build();
        // a stage's copies include those of its `FROM` parents
        let copies: Vec<_> = build
            .stages
            .get(state.stage)
            .into_iter()
            .flat_map(|s| s.config.copies.iter())
            .filter(|c| c.instruction < current)
            .collect();
        for script in cx.scripts() {
            for cmd in &script.commands {
                let Some(w) = runs(cmd) else { continue };
                // the script copied by name from the context
                let Some(script_copy) = copies
                    .iter()
                    .find(|c| c.from.is_none() && c.sources.iter().any(|s| base(s) == w.script))
                else {
                    continue;
                };
                let brought = copies.iter().any(|c| {
                    c.sources.iter().any(|s| {
                        if c.from.is_some() {
                            s.contains(w.top) || s.trim_end_matches('/').is_empty()
                        } else {
                            brings_dir(s, w)
                        }
                    })
                });
                if brought {
                    continue;
                }
                let Some(name) = cmd.name.as_ref() else {
                    continue;
                };
                let copy_span = cx
                    .instruction(script_copy.instruction)
                    .map(|i| i.head_span(cx.text()));
                let mut r = cx
                    .report(
                        name.span,
                        format!(
                            "`{}` runs without `{}/`: the wrapper cannot start",
                            w.script, w.dir
                        ),
                    )
                    .help(format!("copy `{}/` along with `{}`", w.dir, w.script));
                if let Some(s) = copy_span {
                    r = r.label(s, format!("copies `{}` but not `{}/`", w.script, w.dir));
                }
                let _ = r;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_without_the_wrapper_directory() {
        fires(
            "IL3409",
            "FROM eclipse-temurin:21-jdk AS build\nWORKDIR /app\nCOPY gradlew build.gradle settings.gradle ./\nRUN ./gradlew dependencies --no-daemon\n",
            &["4:5 IL3409 `gradlew` runs without `gradle/wrapper/`: the wrapper cannot start"],
        );
        fires(
            "IL3409",
            "FROM eclipse-temurin:21-jdk AS base\nCOPY mvnw pom.xml ./\nFROM base\nRUN chmod +x mvnw && \\\n    # offline\n    sh mvnw -B dependency:go-offline\n",
            &["6:5 IL3409 `mvnw` runs without `.mvn/wrapper/`: the wrapper cannot start"],
        );
        assert_eq!(
            spans(
                "IL3409",
                "FROM eclipse-temurin:21-jdk\nCOPY [\"gradlew\", \"build.gradle\", \"./\"]\nRUN <<EOF\n./gradlew build\nEOF\n"
            ),
            ["./gradlew"]
        );
    }

    #[test]
    fn passes_when_the_wrapper_is_there() {
        for text in [
            "FROM eclipse-temurin:21-jdk\nCOPY gradlew build.gradle ./\nCOPY gradle gradle\nRUN ./gradlew build\n",
            "FROM eclipse-temurin:21-jdk\nCOPY gradlew ./\nCOPY gradle/wrapper/ gradle/wrapper/\nRUN ./gradlew build\n",
            "FROM eclipse-temurin:21-jdk\nCOPY mvnw pom.xml ./\nCOPY .mvn .mvn\nRUN ./mvnw package\n",
            "FROM eclipse-temurin:21-jdk\nCOPY gradlew ./\nCOPY . .\nRUN ./gradlew build\n",
            "FROM eclipse-temurin:21-jdk\nCOPY . .\nRUN ./gradlew build\n",
            "FROM eclipse-temurin:21-jdk\nRUN git clone https://example.com/app.git && cd app && ./gradlew build\n",
            "FROM eclipse-temurin:21-jdk\nCOPY gradlew ./\nCOPY --from=src /src/gradle ./gradle\nRUN ./gradlew build\n",
            "FROM eclipse-temurin:21-jdk\nCOPY gradlew ./\nRUN --mount=target=. ./gradlew build\n",
            "FROM gradle:8-jdk21\nCOPY build.gradle ./\nRUN gradle build\n",
            "FROM eclipse-temurin:21-jdk\nCOPY gradlew ./\nONBUILD RUN ./gradlew build\n",
        ] {
            passes("IL3409", text);
        }
    }
}
