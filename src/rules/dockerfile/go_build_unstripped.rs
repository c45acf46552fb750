use super::final_image::{is_dev_image, option_bool};
use crate::fix::{Edit, Fix};
use crate::graph::{Stage, roles};
use crate::rules::*;
use crate::shell::linking::go_build;
use crate::syntax::Command;

/// IL5409
pub struct GoBuildUnstripped;

const META: Meta = Meta {
    code: "IL5409",
    name: "go-build-unstripped",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Size,
    fix: FixAvailability::Always,
    default_enabled: false,
    summary: "`go build` keeps the symbol table, debug data and build paths in the shipped binary",
    doc: include_str!("../../../rules/go-build-unstripped.md"),
    target: Target::Dockerfile,
};

/// Whether `-ldflags` strips both the symbol table and DWARF data.
fn strips(ldflags: &str) -> bool {
    let words: Vec<&str> = ldflags
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .collect();
    let has = |f: &str| words.iter().any(|w| *w == f || *w == format!("{f}=true"));
    has("-s") && has("-w")
}

impl Rule for GoBuildUnstripped {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_stage(&self, cx: &mut Context<'_>, stage: &Stage) {
        let build = cx.build();
        // only builds whose output reaches the image
        if !build.reaches(stage.index) {
            return;
        }
        if !option_bool(cx, META.name, "check-dev-targets")
            && (stage.name.as_deref().is_some_and(roles::is_dev_name)
                || build.target_stage().is_some_and(|t| is_dev_image(cx, t)))
        {
            return;
        }
        for i in stage.instructions() {
            let exec_form = cx
                .instruction(i)
                .and_then(|x| x.command())
                .is_some_and(Command::is_exec);
            for script in cx.scripts_of(i) {
                for cmd in &script.commands {
                    let Some(b) = go_build(cmd) else { continue };
                    if b.is_install() {
                        continue;
                    }
                    let ldflags = b.value("ldflags");
                    if b.has("trimpath") || ldflags.is_some_and(strips) {
                        continue;
                    }
                    // a debug build
                    if b.value("gcflags")
                        .is_some_and(|g| g.contains("-N") && g.contains("-l"))
                    {
                        continue;
                    }
                    let insert = match (ldflags, exec_form) {
                        (Some(_), _) => " -trimpath",
                        (None, false) => " -trimpath -ldflags=\"-s -w\"",
                        (None, true) => " -trimpath -ldflags='-s -w'",
                    };
                    let version = build
                        .state(i)
                        .is_some_and(|st| st.scope.var("VERSION").is_some());
                    let help = if version {
                        "add `-trimpath -ldflags=\"-s -w\"`; the version can go in too: `-ldflags=\"-s -w -X main.version=${VERSION}\"`"
                    } else {
                        "add `-trimpath -ldflags=\"-s -w\"` to drop symbols, DWARF data and build paths"
                    };
                    let at = b.program.span.cover(b.sub.span);
                    cx.report(
                        at,
                        "`go build` keeps symbols, debug data and build paths in the shipped binary",
                    )
                    .help(help)
                    .fix(Fix::unsafe_(
                        "strip the binary",
                        vec![Edit::insert(b.sub.span.end, insert)],
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    const BAD: &str = "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n";

    #[test]
    fn fires_for_builds_that_reach_the_image() {
        fires(
            "IL5409",
            BAD,
            &[
                "4:19 IL5409 `go build` keeps symbols, debug data and build paths in the shipped binary",
            ],
        );
        assert_eq!(
            spans(
                "IL5409",
                "FROM golang:1.23\nRUN <<EOF\ngo build -o /app .\nEOF\nCMD [\"/app\"]\n"
            ),
            ["go build"]
        );
    }

    #[test]
    fn fixes_by_adding_the_flags() {
        assert_eq!(
            fixed("IL5409", BAD, Applicability::Unsafe),
            BAD.replace("go build -o", "go build -trimpath -ldflags=\"-s -w\" -o")
        );
        assert_eq!(
            fixed(
                "IL5409",
                "FROM golang:1.23\nRUN go build -ldflags \"-X main.v=1\" -o /app .\n",
                Applicability::Unsafe
            ),
            "FROM golang:1.23\nRUN go build -trimpath -ldflags \"-X main.v=1\" -o /app .\n"
        );
        assert_eq!(
            fixed(
                "IL5409",
                "FROM golang:1.23\nRUN [\"sh\", \"-c\", \"go build -o /app .\"]\n",
                Applicability::Unsafe
            ),
            "FROM golang:1.23\nRUN [\"sh\", \"-c\", \"go build -trimpath -ldflags='-s -w' -o /app .\"]\n"
        );
    }

    #[test]
    fn passes_for_stripped_debug_and_unused_builds() {
        passes("IL5409", &BAD.replace("go build", "go build -trimpath"));
        passes(
            "IL5409",
            &BAD.replace("go build", "go build -ldflags=\"-w -s\""),
        );
        passes(
            "IL5409",
            &BAD.replace("go build", "go build -gcflags=\"all=-N -l\""),
        );
        passes(
            "IL5409",
            &BAD.replace("AS build", "AS debug")
                .replace("=build", "=debug"),
        );
        // a stage the target does not need
        passes(
            "IL5409",
            "FROM golang:1.23 AS tools\nRUN go build -o /t ./tools\nFROM golang:1.23 AS build\nRUN go build -trimpath -o /app .\nFROM scratch\nCOPY --from=build /app /app\n",
        );
    }
}
