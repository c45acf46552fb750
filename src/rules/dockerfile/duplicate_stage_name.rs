use crate::graph::Build;
use crate::rules::*;
use std::collections::HashMap;

/// DL3024
pub struct DuplicateStageName;

const META: Meta = Meta {
    code: "DL3024",
    name: "duplicate-stage-name",
    aliases: &[
        "DS-0012",
        "DS012",
        "docker-no-duplicate-alias",
        "CKV_DOCKER_11",
        "DuplicateStageName",
    ],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "Two stages have the same name",
    doc: include_str!("../../../rules/duplicate-stage-name.md"),
    target: Target::Dockerfile,
};

impl Rule for DuplicateStageName {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        // names are lower-cased in the model: BuildKit compares them that way
        let mut first: HashMap<&str, crate::source::Span> = HashMap::new();
        for stage in &build.stages {
            let (Some(name), Some(span)) = (&stage.name, stage.name_span) else {
                continue;
            };
            match first.get(name.as_str()) {
                Some(&earlier) => {
                    cx.report(span, format!("the stage name `{name}` is already taken"))
                        .label(earlier, "first used here")
                        .help("give each stage its own name");
                }
                None => {
                    first.insert(name, span);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_duplicates_in_any_case() {
        fires(
            "DL3024",
            "FROM golang AS build\nRUN x\nFROM alpine AS Build\nFROM alpine AS build\n",
            &[
                "3:16 DL3024 the stage name `build` is already taken",
                "4:16 DL3024 the stage name `build` is already taken",
            ],
        );
        assert_eq!(spans("DL3024", "FROM a AS x\nFROM b AS X\n"), ["X"]);
    }

    #[test]
    fn passes_on_unique_names() {
        passes(
            "DL3024",
            "FROM golang AS build\nFROM alpine AS run\nFROM scratch\nFROM scratch\n",
        );
    }
}
