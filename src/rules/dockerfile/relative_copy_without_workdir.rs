use super::relative_workdir::is_absolute;
use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};

/// DL3045
pub struct RelativeCopyWithoutWorkdir;

const META: Meta = Meta {
    code: "DL3045",
    name: "relative-copy-without-workdir",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`COPY` to a relative destination before any `WORKDIR`",
    doc: include_str!("../../../rules/relative-copy-without-workdir.md"),
    target: Target::Dockerfile,
};

impl Rule for RelativeCopyWithoutWorkdir {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Copy]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        // `ONBUILD COPY` runs in a child image with its own `WORKDIR`
        if cx.in_onbuild() {
            return;
        }
        let Args::Paths(paths) = &ins.args else {
            return;
        };
        let Some(dest) = paths.words.last() else {
            return;
        };
        let Some(i) = cx.instruction_index() else {
            return;
        };
        let Some(state) = cx.state() else { return };
        // a `WORKDIR` in this stage or a parent stage of this file
        if state.workdir.is_some() {
            return;
        }
        let windows = cx.build().stage_of(i).is_some_and(|s| s.windows);
        let value = if paths.json {
            dest.text.clone()
        } else {
            cx.expand_at(i, &dest.text)
        };
        // an unknown variable may hold an absolute path
        if value.starts_with('$') || is_absolute(&value, windows) {
            return;
        }
        cx.report(
            dest.span,
            format!("`COPY` to the relative `{value}` before any `WORKDIR` in the stage"),
        )
        .help("set `WORKDIR` first, or copy to an absolute path");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_without_workdir() {
        fires(
            "DL3045",
            "FROM node:22\nCOPY package.json \\\n  .\nRUN npm ci\n",
            &["3:3 DL3045 `COPY` to the relative `.` before any `WORKDIR` in the stage"],
        );
        fires(
            "DL3045",
            "FROM alpine AS a\nWORKDIR /app\nFROM alpine\nCOPY --from=a x app/\n",
            &["4:17 DL3045 `COPY` to the relative `app/` before any `WORKDIR` in the stage"],
        );
        fires(
            "DL3045",
            "FROM alpine\nARG DEST=rel\nCOPY x $DEST\n",
            &["3:8 DL3045 `COPY` to the relative `rel` before any `WORKDIR` in the stage"],
        );
    }

    #[test]
    fn passes_with_workdir_absolute_or_variable_destinations() {
        passes("DL3045", "FROM alpine\nWORKDIR /app\nCOPY . .\n");
        // inherited through `FROM <stage>`
        passes(
            "DL3045",
            "FROM alpine AS base\nWORKDIR /app\nFROM base\nCOPY . .\n",
        );
        for copy in [
            "COPY a /app/",
            "COPY [\"a\", \"/app/\"]",
            "COPY a $APP_HOME",
            "COPY a \"/quoted/\"",
            "COPY a C:\\\\app\\\\",
            "COPY a c:/app/",
            "ONBUILD COPY . .",
            "ADD a rel/",
        ] {
            passes("DL3045", &format!("FROM alpine\n{copy}\n"));
        }
    }
}
