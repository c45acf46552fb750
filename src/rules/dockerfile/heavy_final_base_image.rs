use crate::graph::{Base, Build};
use crate::rules::*;
use crate::size::estimate::{Program, base_size, detect_program, lighter_bases};
use crate::size::{Family, facts, render_bytes, table};

use super::build_image_in_final_stage;

/// IL5101
pub struct HeavyFinalBaseImage;

const META: Meta = Meta {
    code: "IL5101",
    name: "heavy-final-base-image",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Size,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "The image's base is much heavier than a base that runs the same program",
    doc: include_str!("../../../rules/heavy-final-base-image.md"),
    target: Target::Dockerfile,
};

/// Defaults of the options `min-saving-mb` and `min-ratio`.
const MIN_SAVING_MB: f64 = 25.0;
const MIN_RATIO: f64 = 1.5;

impl Rule for HeavyFinalBaseImage {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let Some(target) = build.target_stage() else {
            return;
        };
        if target.windows {
            return;
        }
        // a toolchain image that builds and runs its program is IL5001's
        if build_image_in_final_stage::find(cx, build).is_some() {
            return;
        }
        let chain = build.chain(target.index);
        let Some(&root) = chain.last() else { return };
        let Base::Image(current) = &build.stages[root].base else {
            return;
        };
        // an image that keeps its toolchain on purpose (a CI or tool
        // image): lighter bases would not run it; a JDK that only runs a
        // program is the exception
        let f = facts(current);
        if f.family == Some(Family::Toolchain) && f.toolchain.is_none_or(|t| t != "Java (JDK)") {
            return;
        }
        let Some(program) = detect_program(build, target.index, &|i| cx.scripts_of(i)) else {
            return;
        };
        // a JDK image is kept for its tools unless it only starts `java`
        if matches!(program, Program::Java { .. }) {
            let starts_java = [target.config.entrypoint, target.config.cmd]
                .into_iter()
                .flatten()
                .filter_map(|i| cx.instruction(i))
                .any(|ins| {
                    let text = ins.span.text(cx.text());
                    text.contains("\"java\"") || text.contains(" java ") || text.contains("-jar")
                });
            if !starts_java {
                return;
            }
        }
        let arch = build
            .global_scope
            .var("TARGETARCH")
            .and_then(|v| v.value.clone())
            .unwrap_or_else(|| "amd64".into());
        let table = table::builtin();
        let Some(cur) = base_size(table, current, &arch).size.map(|b| b.size()) else {
            return;
        };
        let Some(alt) = lighter_bases(table, &arch, current, &program)
            .into_iter()
            .find(|a| a.recommended)
        else {
            return;
        };
        let option = |key: &str, default: f64| {
            cx.options()
                .get(META.name, key)
                .and_then(|v| v.as_f64())
                .unwrap_or(default)
        };
        let min_saving = option("min-saving-mb", MIN_SAVING_MB) * 1e6;
        let min_ratio = option("min-ratio", MIN_RATIO);
        // judged on the bounds, so that uncertain figures do not report
        let saving = cur.low.saturating_sub(alt.size.high);
        if (saving as f64) < min_saving || (cur.low as f64) < min_ratio * alt.size.high as f64 {
            return;
        }
        let about = |exact: bool| if exact { "" } else { "about " };
        let Some(at) = target.base_span else { return };
        let mut r = cx
            .report(
                at,
                format!(
                    "`{}` is {}{}; `{}` would save {}{}",
                    current.original,
                    about(cur.is_exact()),
                    render_bytes(cur.estimate),
                    alt.image,
                    about(cur.is_exact() && alt.size.is_exact()),
                    render_bytes(cur.estimate.saturating_sub(alt.size.estimate)),
                ),
            )
            .help(format!(
                "start the image from `{}` ({}{}), which runs {}{}; `imglint size` compares the candidates",
                alt.image,
                about(alt.size.is_exact()),
                render_bytes(alt.size.estimate),
                program.describe(),
                alt.note.map(|n| format!(" ({n})")).unwrap_or_default(),
            ));
        if root != target.index
            && let Some(span) = build.stages[root].base_span
        {
            r = r.label(span, "the base image");
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::{LintSettings, lint_text};
    use crate::rules::test::*;
    use crate::rules::{RuleOptions, Selection};

    #[test]
    fn fires_for_full_runtime_images() {
        fires(
            "IL5101",
            "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\nUSER node\nCMD [\"node\", \"server.js\"]\n",
            &["1:6 IL5101 `node:22` is 408.5 MB; `node:22-slim` would save 328.6 MB"],
        );
        fires(
            "IL5101",
            "FROM python:3.12\nCOPY . /app\nRUN pip install --no-cache-dir -r /app/requirements.txt\nCMD [\"python\", \"/app/main.py\"]\n",
            &["1:6 IL5101 `python:3.12` is 410.9 MB; `python:3.12-slim` would save 367.7 MB"],
        );
    }

    #[test]
    fn tags_not_in_the_table_are_sized_by_the_nearest_tag() {
        fires(
            "IL5101",
            "FROM node:20-bookworm\nCMD [\"node\", \"index.js\"]\n",
            &[
                "1:6 IL5101 `node:20-bookworm` is about 408.5 MB; `node:20-slim` would save about 328.6 MB",
            ],
        );
    }

    #[test]
    fn a_jdk_that_only_runs_a_jar_should_be_a_jre() {
        fires(
            "IL5101",
            "FROM eclipse-temurin:21-jdk\nCOPY target/app.jar /app.jar\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n",
            &[
                "1:6 IL5101 `eclipse-temurin:21-jdk` is 230.1 MB; `eclipse-temurin:21-jre` would save 108.9 MB",
            ],
        );
    }

    #[test]
    fn a_jdk_image_for_other_tools_is_not_reported() {
        passes(
            "IL5101",
            "FROM eclipse-temurin:21-jdk-jammy\nRUN curl -fsSL https://example.com/gradle.zip -o g.zip\nCMD [\"gradle\"]\n",
        );
    }

    #[test]
    fn go_and_rust_binaries_on_distribution_images() {
        fires(
            "IL5101",
            "FROM golang:1.25 AS build\nRUN CGO_ENABLED=0 go build -o /app .\nFROM debian:12\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
            &[
                "3:6 IL5101 `debian:12` is 48.5 MB; `gcr.io/distroless/static-debian12:nonroot` would save about 47.3 MB",
            ],
        );
        // cgo may be on: glibc is needed, distroless base
        passes(
            "IL5101",
            "FROM golang:1.25 AS build\nRUN go build -o /app .\nFROM debian:12-slim\nCOPY --from=build /app /app\nCMD [\"/app\"]\n",
        );
        fires(
            "IL5101",
            "FROM rust:1 AS build\nRUN cargo build --release\nFROM ubuntu:24.04\nCOPY --from=build /src/target/release/app /app\nCMD [\"/app\"]\n",
            &[],
        );
    }

    #[test]
    fn arg_chosen_bases_are_expanded() {
        fires(
            "IL5101",
            "ARG PY=3.12\nFROM python:${PY}\nCMD [\"python\"]\n",
            &["2:6 IL5101 `python:3.12` is 410.9 MB; `python:3.12-slim` would save 367.7 MB"],
        );
        // no value: the base is not known, nothing is said
        passes("IL5101", "ARG BASE\nFROM $BASE\nCMD [\"node\", \"x.js\"]\n");
    }

    #[test]
    fn follows_the_from_chain_and_labels_the_base() {
        fires(
            "IL5101",
            "FROM node:22 AS base\nWORKDIR /app\nFROM base\nCMD [\"node\", \"a.js\"]\n",
            &["3:6 IL5101 `node:22` is 408.5 MB; `node:22-slim` would save 328.6 MB"],
        );
    }

    #[test]
    fn passes_for_light_unknown_and_toolchain_images() {
        passes("IL5101", "FROM node:22-slim\nCMD [\"node\", \"a.js\"]\n");
        passes("IL5101", "FROM python:3.12-alpine\nCMD [\"python\"]\n");
        // debian:12-slim saves 20.3 MB: under the default threshold
        passes("IL5101", "FROM debian:12\nCMD [\"bash\"]\n");
        // private images: their size is unknown
        passes(
            "IL5101",
            "FROM registry.example.com/team/node:22\nCMD [\"node\", \"a.js\"]\n",
        );
        // a toolchain image kept on purpose
        passes(
            "IL5101",
            "FROM golang:1.25\nRUN go install golang.org/x/tools/gopls@latest\nCMD [\"go\", \"test\", \"./...\"]\n",
        );
        // the toolchain in the image is IL5001's finding
        passes(
            "IL5101",
            "FROM golang:1.25\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n",
        );
        passes(
            "IL5101",
            "FROM golang:1.25 AS build\nRUN CGO_ENABLED=0 go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\n",
        );
    }

    #[test]
    fn thresholds_are_options() {
        let text =
            "FROM eclipse-temurin:21-jdk\nCOPY app.jar /\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n";
        let with = |json: serde_json::Value| {
            let mut options = RuleOptions::default();
            options
                .per_rule
                .insert("heavy-final-base-image".into(), json);
            let settings = LintSettings {
                selection: Selection::only(&["IL5101".to_string()]).unwrap(),
                options,
                ..LintSettings::default()
            };
            lint_text("Dockerfile", text, &settings).findings.len()
        };
        assert_eq!(with(serde_json::json!({})), 1);
        assert_eq!(with(serde_json::json!({"min-saving-mb": 200})), 0);
        assert_eq!(with(serde_json::json!({"min-ratio": 2.0})), 0);
        assert_eq!(
            with(serde_json::json!({"min-ratio": 1.2, "min-saving-mb": 100})),
            1
        );
    }

    #[test]
    fn the_span_is_the_base_word() {
        assert_eq!(
            spans(
                "IL5101",
                "FROM --platform=linux/amd64 node:22 AS app\nCMD [\"node\"]\n"
            ),
            ["node:22"]
        );
    }
}
