use super::var_refs::var_refs;
use crate::graph::Build;
use crate::rules::*;
use crate::syntax::{Args, Kind, Word};

/// IL2001
pub struct UndefinedArgInFrom;

const META: Meta = Meta {
    code: "IL2001",
    name: "undefined-arg-in-from",
    aliases: &["UndefinedArgInFrom"],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`FROM` uses a variable no `ARG` before the first `FROM` declares",
    doc: include_str!("../../../rules/undefined-arg-in-from.md"),
    target: Target::Dockerfile,
};

/// The automatic platform arguments, visible to every `FROM`.
const BUILTIN: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

impl Rule for UndefinedArgInFrom {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let declared: Vec<&str> = build.global_args.iter().map(|a| a.name.as_str()).collect();
        let candidates: Vec<&str> = declared.iter().copied().chain(BUILTIN).collect();
        let df = cx.dockerfile();
        // names declared inside some stage, where `FROM` cannot see them
        let in_stages: Vec<&str> = df
            .instructions
            .iter()
            .skip_while(|i| i.kind != Kind::From)
            .filter_map(|i| match &i.args {
                Args::Arg(d) => Some(d.iter().map(|d| d.name.text.as_str())),
                _ => None,
            })
            .flatten()
            .collect();
        for stage in &build.stages {
            let Some(ins) = df.instructions.get(stage.from) else {
                continue;
            };
            let Args::From(from) = &ins.args else {
                continue;
            };
            let platform = ins
                .flag("platform")
                .and_then(|f| Some(Word::new(f.value.clone()?, f.value_span?)));
            let mut reported: Vec<String> = Vec::new();
            for word in from.image.iter().chain(platform.as_ref()) {
                for r in var_refs(word, cx.text(), df.escape) {
                    if candidates.contains(&r.name.as_str()) || reported.contains(&r.name) {
                        continue;
                    }
                    reported.push(r.name.clone());
                    let help = if let Some(s) =
                        crate::suggest::closest(&r.name, candidates.iter().copied())
                    {
                        format!("did you mean `{s}`?")
                    } else if in_stages.contains(&r.name.as_str()) {
                        format!(
                            "an `ARG` inside a stage is not visible to `FROM`: declare `ARG {}` before the first `FROM`",
                            r.name
                        )
                    } else {
                        format!("declare `ARG {}=<default>` before the first `FROM`", r.name)
                    };
                    cx.report(
                        r.span,
                        format!("`{}` is not declared before the first `FROM`", r.name),
                    )
                    .help(help);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_undeclared_names() {
        fires(
            "IL2001",
            "FROM alpine:${VERSION}\n",
            &["1:13 IL2001 `VERSION` is not declared before the first `FROM`"],
        );
        let f = findings("IL2001", "ARG VERSION=1\nFROM alpine:$VERISON\n");
        assert_eq!(f[0].help.as_deref(), Some("did you mean `VERSION`?"));
        let f = findings("IL2001", "FROM alpine\nARG BASE=debian\nFROM $BASE\n");
        assert!(
            f[0].help
                .as_deref()
                .unwrap()
                .contains("not visible to `FROM`")
        );
        fires(
            "IL2001",
            "FROM --platform=$PLATFORM alpine\n",
            &["1:17 IL2001 `PLATFORM` is not declared before the first `FROM`"],
        );
    }

    #[test]
    fn passes_for_declared_and_builtin_names() {
        passes(
            "IL2001",
            "ARG BASE\nARG TAG=3.20\nFROM --platform=$BUILDPLATFORM ${BASE:-alpine}:${TAG} AS a\nFROM --platform=${TARGETPLATFORM} a\n",
        );
    }
}
