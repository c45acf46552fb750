use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};

/// DL3000
pub struct RelativeWorkdir;

const META: Meta = Meta {
    code: "DL3000",
    name: "relative-workdir",
    aliases: &[
        "DS-0009",
        "DS009",
        "docker-user-absolute-workdir",
        "CKV_DOCKER_10",
        "WorkdirRelativePath",
    ],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "`WORKDIR` is a relative path",
    doc: include_str!("../../../rules/relative-workdir.md"),
    target: Target::Dockerfile,
};

/// Whether a path is absolute on Linux or Windows (`/x`, `C:\x`, `C:/x`,
/// and `\x` on Windows).
pub fn is_absolute(path: &str, windows: bool) -> bool {
    let b = path.as_bytes();
    path.starts_with('/')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
        || (windows && path.starts_with('\\'))
}

/// Characters that make a path unsafe to rewrite textually.
fn is_plain(path: &str) -> bool {
    !path.is_empty()
        && !path.contains(['$', '\\', '"', '\'', '`', ' ', '\t'])
        && !path.starts_with('~')
}

impl Rule for RelativeWorkdir {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Workdir]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::Text(word) = &ins.args else { return };
        let Some(i) = cx.instruction_index() else {
            return;
        };
        let windows = cx.build().stage_of(i).is_some_and(|s| s.windows);
        // an unknown variable may hold an absolute path
        let path = cx.expand_at(i, &word.text);
        if path.starts_with('$') || is_absolute(&path, windows) {
            return;
        }
        let fix = if cx.in_onbuild() || windows {
            None
        } else {
            absolute_fix(cx, i, &word.text)
        };
        cx.report(word.span, format!("`WORKDIR {path}` is relative"))
            .help("use an absolute path, so the directory does not depend on the base image")
            .maybe_fix(fix);
    }
}

/// Rewrites a relative `WORKDIR` against the absolute one before it in this
/// stage or a parent stage of this file, when every `WORKDIR` involved is a
/// plain path.
fn absolute_fix(cx: &Context<'_>, index: usize, relative: &str) -> Option<Fix> {
    if !is_plain(relative) {
        return None;
    }
    let build = cx.build();
    let stage = build.stage_of(index)?;
    let mut parts = vec![relative.to_string()];
    let mut found = false;
    'chain: for (n, si) in build.chain(stage.index).into_iter().enumerate() {
        let s = build.stages.get(si)?;
        let end = if n == 0 { index } else { s.end };
        for j in (s.from + 1..end).rev() {
            let Some(Instruction {
                kind: Kind::Workdir,
                args: Args::Text(w),
                ..
            }) = cx.instruction(j)
            else {
                continue;
            };
            if !is_plain(&w.text) {
                return None;
            }
            parts.push(w.text.clone());
            if w.text.starts_with('/') {
                found = true;
                break 'chain;
            }
        }
    }
    if !found {
        return None;
    }
    let joined = parts.iter().rev().fold(String::new(), |acc, p| {
        crate::graph::join_path(Some(&acc), p)
    });
    let ins = cx.instruction(index)?;
    let Args::Text(word) = &ins.args else {
        return None;
    };
    Some(Fix::safe(
        format!("use `{joined}`"),
        vec![Edit::replace(word.span, joined)],
    ))
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_relative_paths() {
        fires(
            "DL3000",
            "FROM alpine\nWORKDIR app\nWORKDIR ./src\nWORKDIR \"rel\"\n",
            &[
                "2:9 DL3000 `WORKDIR app` is relative",
                "3:9 DL3000 `WORKDIR ./src` is relative",
                "4:9 DL3000 `WORKDIR rel` is relative",
            ],
        );
        // a build argument with a relative default
        fires(
            "DL3000",
            "FROM alpine\nARG DIR=app\nWORKDIR $DIR\n",
            &["3:9 DL3000 `WORKDIR app` is relative"],
        );
        fires(
            "DL3000",
            "FROM alpine\nONBUILD WORKDIR src\n",
            &["2:17 DL3000 `WORKDIR src` is relative"],
        );
    }

    #[test]
    fn passes_on_absolute_variable_and_windows_paths() {
        for w in [
            "/app",
            "$HOME",
            "${APP_HOME}/src",
            "\"/quoted dir\"",
            "C:\\\\app",
            "c:/app",
        ] {
            passes("DL3000", &format!("FROM alpine\nWORKDIR {w}\n"));
        }
        passes("DL3000", "FROM alpine\nARG DIR=/srv\nWORKDIR ${DIR}\n");
        passes(
            "DL3000",
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nWORKDIR \\app\n",
        );
    }

    #[test]
    fn fix_uses_the_earlier_absolute_workdir() {
        assert_eq!(
            fixed(
                "DL3000",
                "FROM alpine AS base\nWORKDIR /src\nFROM base\nWORKDIR tools\nWORKDIR ../gopls\n",
                Applicability::Safe
            ),
            "FROM alpine AS base\nWORKDIR /src\nFROM base\nWORKDIR /src/tools\nWORKDIR /src/gopls\n"
        );
        // no absolute WORKDIR in this file: the base image decides, no fix
        let text = "FROM alpine\nWORKDIR app\n";
        assert_eq!(fixed("DL3000", text, Applicability::Unsafe), text);
        // a variable in the chain: no fix
        let text = "FROM alpine\nWORKDIR $HOME\nWORKDIR app\n";
        assert_eq!(fixed("DL3000", text, Applicability::Unsafe), text);
    }
}
