use super::final_image::{has_root_filesystem, root_image};
use crate::graph::Build;
use crate::rules::*;
use crate::shell::linking::go_build;

/// IL5407
pub struct ScratchWithoutZoneinfo;

const META: Meta = Meta {
    code: "IL5407",
    name: "scratch-without-zoneinfo",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A Go program on `scratch` is given a time zone but the image has no time zone data",
    doc: include_str!("../../../rules/scratch-without-zoneinfo.md"),
    target: Target::Dockerfile,
};

impl Rule for ScratchWithoutZoneinfo {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let Some(target) = build.target_stage() else {
            return;
        };
        if !root_image(build, target.index).is_some_and(|r| r.is_scratch()) {
            return;
        }
        let config = &target.config;
        if config.entrypoint.is_none() && config.cmd.is_none() {
            return;
        }
        // only when the image asks for a time zone
        let Some(tz) = config.env.var("TZ").filter(|v| {
            v.value
                .as_deref()
                .is_some_and(|z| !z.is_empty() && z != "UTC" && z != "Etc/UTC")
        }) else {
            return;
        };
        let copies = &config.copies;
        if has_root_filesystem(copies)
            || copies.iter().any(|c| {
                c.dest.contains("zoneinfo") || c.sources.iter().any(|s| s.contains("zoneinfo"))
            })
            || config.env.var("ZONEINFO").is_some()
        {
            return;
        }
        // a Go program built in another stage, without embedded zone data
        let mut go = false;
        for c in copies {
            let Some(s) = c.from_stage() else { continue };
            for i in build.chain_instructions(s) {
                for script in cx.scripts_of(i) {
                    for cmd in &script.commands {
                        if let Some(b) = go_build(cmd) {
                            if b.tags().contains(&"timetzdata") {
                                return;
                            }
                            go = true;
                        }
                    }
                }
            }
        }
        if !go {
            return;
        }
        let Some(at) = target
            .base_span
            .or_else(|| super::final_image::root_base_span(build, target.index))
        else {
            return;
        };
        let tz_at = tz
            .instruction
            .and_then(|i| cx.instruction(i))
            .map(|ins| ins.keyword.span);
        let mut r = cx
            .report(
                at,
                "the image sets `TZ` but has no time zone data, so Go falls back to UTC",
            )
            .help("copy `/usr/share/zoneinfo` from a stage that has it, or build with `-tags timetzdata` (or import `time/tzdata`)");
        if let Some(span) = tz_at {
            r = r.label(span, "the time zone is set here");
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    const BAD: &str = "FROM golang:1.23 AS build\nRUN CGO_ENABLED=0 go build -o /app .\nFROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /app /app\nENV TZ=Europe/Berlin\nENTRYPOINT [\"/app\"]\n";

    #[test]
    fn fires_when_a_zone_is_set() {
        fires(
            "IL5407",
            BAD,
            &["3:6 IL5407 the image sets `TZ` but has no time zone data, so Go falls back to UTC"],
        );
    }

    #[test]
    fn passes_with_zone_data() {
        passes(
            "IL5407",
            &BAD.replace(
                "FROM scratch\n",
                "FROM scratch\nCOPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo\n",
            ),
        );
        passes(
            "IL5407",
            &BAD.replace("go build", "go build -tags timetzdata"),
        );
        passes("IL5407", &BAD.replace("ENV TZ=Europe/Berlin\n", ""));
        passes("IL5407", &BAD.replace("ENV TZ=Europe/Berlin", "ENV TZ=UTC"));
        passes(
            "IL5407",
            &BAD.replace("FROM scratch", "FROM gcr.io/distroless/static-debian12"),
        );
        // not a Go program
        passes(
            "IL5407",
            "FROM rust:1.85 AS build\nRUN cargo build --release\nFROM scratch\nCOPY --from=build /target/release/app /app\nENV TZ=Europe/Berlin\nCMD [\"/app\"]\n",
        );
    }
}
