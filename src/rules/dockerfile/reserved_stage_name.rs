use crate::graph::Build;
use crate::rules::*;

/// DL3063
pub struct ReservedStageName;

const META: Meta = Meta {
    code: "DL3063",
    name: "reserved-stage-name",
    aliases: &["ReservedStageName"],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A stage is named `scratch` or `context`, names BuildKit reserves",
    doc: include_str!("../../../rules/reserved-stage-name.md"),
    target: Target::Dockerfile,
};

/// Names a stage may not take.
const RESERVED: [&str; 2] = ["scratch", "context"];

impl Rule for ReservedStageName {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for stage in &build.stages {
            let (Some(name), Some(span)) = (&stage.name, stage.name_span) else {
                continue;
            };
            if RESERVED.contains(&name.as_str()) {
                cx.report(
                    span,
                    format!("`{name}` is a reserved name and cannot name a stage"),
                )
                .help("give the stage another name");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_reserved_names() {
        fires(
            "DL3063",
            "FROM scratch as scratch\nFROM alpine AS Context\n",
            &[
                "1:17 DL3063 `scratch` is a reserved name and cannot name a stage",
                "2:16 DL3063 `context` is a reserved name and cannot name a stage",
            ],
        );
    }

    #[test]
    fn passes_on_other_names() {
        passes(
            "DL3063",
            "FROM scratch AS scratchpad\nFROM alpine AS build-context\nFROM scratch\n",
        );
    }
}
