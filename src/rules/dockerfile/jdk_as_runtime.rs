use super::final_image::{checked_target, option_list, root_base_span, root_image};
use crate::fix::{Edit, Fix};
use crate::graph::{Build, ImageRef};
use crate::rules::*;
use crate::shell::deps::{self, Ecosystem, StepKind};
use crate::shell::process::started;
use crate::size::facts;

/// IL5201
pub struct JdkAsRuntime;

const META: Meta = Meta {
    code: "IL5201",
    name: "jdk-as-runtime",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "The image runs `java` on a JDK image where a JRE would do",
    doc: include_str!("../../../rules/jdk-as-runtime.md"),
    target: Target::Dockerfile,
};

/// JDK tools that justify a JDK at run time.
const RUNTIME_TOOLS: &[&str] = &[
    "javac", "jcmd", "jlink", "jshell", "jdeps", "jmap", "jstack", "jstat", "jfr", "jar", "jhsdb",
    "jinfo",
];

/// The same image's JRE tag, where the repository has one.
fn jre_tag(r: &ImageRef) -> Option<String> {
    let tag = r.tag.as_deref()?;
    if r.digest.is_some() {
        return None;
    }
    match r.basename() {
        "eclipse-temurin" | "sapmachine" | "ibm-semeru-runtimes" => {
            if tag.contains("jre") {
                return None;
            }
            if tag.contains("jdk") {
                return Some(tag.replacen("jdk", "jre", 1));
            }
            // `21`, `21.0.4_7`: the JDK of that version
            tag.starts_with(|c: char| c.is_ascii_digit())
                .then(|| match tag.split_once('-') {
                    Some((v, rest)) => format!("{v}-jre-{rest}"),
                    None => format!("{tag}-jre"),
                })
        }
        _ => None,
    }
}

impl Rule for JdkAsRuntime {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let Some(target) = checked_target(cx, build, META.name) else {
            return;
        };
        let Some(base) = root_image(build, target.index) else {
            return;
        };
        if !matches!(
            facts(&base).toolchain,
            Some("Java (JDK)" | "Java (Maven)" | "Java (Gradle)")
        ) {
            return;
        }
        let allowed = option_list(cx, META.name, "allowed-bases");
        if allowed
            .iter()
            .any(|a| a == &base.original || a == &base.name())
        {
            return;
        }
        let Some(s) = started(&cx.dockerfile().instructions, target) else {
            return;
        };
        if s.program() != "java" {
            return;
        }
        // compiling, or JDK tools, in the image's own stages
        let mut tools: Vec<String> = RUNTIME_TOOLS.iter().map(|t| t.to_string()).collect();
        tools.extend(option_list(cx, META.name, "runtime-tools"));
        let chain = build.chain_instructions(target.index);
        let needs_jdk = chain.iter().any(|&i| {
            cx.scripts_of(i).iter().any(|sc| {
                sc.commands.iter().any(|c| {
                    c.program().is_some_and(|p| tools.iter().any(|t| t == p))
                        || deps::classify(c).is_some_and(|d| {
                            d.kind == StepKind::Build
                                && matches!(d.ecosystem, Ecosystem::Maven | Ecosystem::Gradle)
                        })
                })
            })
        }) || s.args().iter().any(|w| tools.iter().any(|t| t == w.base()));
        if needs_jdk {
            return;
        }
        let Some(at) = root_base_span(build, target.index) else {
            return;
        };
        let deprecated = base.basename() == "openjdk" && base.registry.is_none();
        let message = if deprecated {
            format!(
                "the image runs `java` on the JDK image `{}`; the `openjdk` images are deprecated",
                base.original
            )
        } else {
            format!("the image runs `java` on the JDK image `{}`", base.original)
        };
        let written = cx.text().get(at.range()).unwrap_or("");
        let fix = jre_tag(&base)
            .filter(|_| written == base.original)
            .map(|tag| {
                let name = base.original.rsplit_once(':').map_or("", |(n, _)| n);
                Fix::unsafe_(
                    format!("use the JRE tag `{tag}`"),
                    vec![Edit::replace(at, format!("{name}:{tag}"))],
                )
            });
        let help = if deprecated {
            "run it on a JRE image such as `eclipse-temurin:21-jre` or `gcr.io/distroless/java21-debian12`"
                .to_string()
        } else {
            "run it on the JRE of the same distribution, `gcr.io/distroless/java21-debian12` or a `jlink` runtime"
                .to_string()
        };
        cx.report(at, message).help(help).maybe_fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    const BAD: &str = "FROM maven:3.9-eclipse-temurin-21 AS build\nRUN mvn -B package\nFROM eclipse-temurin:21-jdk\nCOPY --from=build /target/app.jar /app.jar\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n";

    #[test]
    fn fires_for_java_on_a_jdk() {
        fires(
            "IL5201",
            BAD,
            &["3:6 IL5201 the image runs `java` on the JDK image `eclipse-temurin:21-jdk`"],
        );
        fires(
            "IL5201",
            "FROM openjdk:17\nCOPY app.jar /app.jar\nENTRYPOINT [\"sh\", \"-c\", \"exec java $JAVA_OPTS -jar /app.jar\"]\n",
            &[
                "1:6 IL5201 the image runs `java` on the JDK image `openjdk:17`; the `openjdk` images are deprecated",
            ],
        );
    }

    #[test]
    fn fixes_to_the_jre_tag() {
        assert_eq!(
            fixed("IL5201", BAD, Applicability::Unsafe),
            BAD.replace("eclipse-temurin:21-jdk\n", "eclipse-temurin:21-jre\n")
        );
        assert_eq!(
            fixed(
                "IL5201",
                "FROM eclipse-temurin:17-jdk-alpine\nCMD [\"java\", \"-jar\", \"/a.jar\"]\n",
                Applicability::Unsafe
            ),
            "FROM eclipse-temurin:17-jre-alpine\nCMD [\"java\", \"-jar\", \"/a.jar\"]\n"
        );
        assert_eq!(
            fixed(
                "IL5201",
                "FROM eclipse-temurin:21\nCMD [\"java\", \"-jar\", \"/a.jar\"]\n",
                Applicability::Unsafe
            ),
            "FROM eclipse-temurin:21-jre\nCMD [\"java\", \"-jar\", \"/a.jar\"]\n"
        );
        let corretto = "FROM amazoncorretto:21\nCMD [\"java\", \"-jar\", \"/a.jar\"]\n";
        assert_eq!(fixed("IL5201", corretto, Applicability::Unsafe), corretto);
    }

    #[test]
    fn passes_for_jres_builds_and_jdk_tools() {
        passes("IL5201", &BAD.replace("21-jdk", "21-jre"));
        // compiles in the image: build-image-in-final-stage's finding
        passes(
            "IL5201",
            "FROM eclipse-temurin:21-jdk\nCOPY . .\nRUN ./mvnw -B package\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n",
        );
        passes(
            "IL5201",
            "FROM eclipse-temurin:21-jdk\nCOPY app.jar /\nHEALTHCHECK CMD [\"jcmd\", \"1\", \"VM.uptime\"]\nRUN jlink --help\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n",
        );
        passes("IL5201", "FROM eclipse-temurin:21-jdk\nCMD [\"jshell\"]\n");
        passes(
            "IL5201",
            "FROM eclipse-temurin:21-jdk AS test\nCMD [\"java\", \"-jar\", \"/a.jar\"]\n",
        );
    }

    #[test]
    fn allowed_bases_option() {
        let mut options = crate::rules::RuleOptions::default();
        options.per_rule.insert(
            "jdk-as-runtime".into(),
            serde_json::json!({"allowed-bases": ["eclipse-temurin"]}),
        );
        passes_with("IL5201", &options, BAD);
    }
}
