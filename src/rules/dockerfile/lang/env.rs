//! The variables a command sees: its own assignments (`X=1 cmd`, `env X=1
//! cmd`), earlier assignments and `export`s in the same script, then the
//! build's `ARG`s and `ENV`s.

use crate::rules::Context;
use crate::shell::{Script, SimpleCommand};
use crate::syntax::lex::Env;

/// The value of `name` where command `ci` of `script` runs, in top-level
/// instruction `index`.
pub fn variable(
    cx: &Context<'_>,
    index: usize,
    script: &Script,
    ci: usize,
    name: &str,
) -> Option<String> {
    let prefix = format!("{name}=");
    if let Some(cmd) = script.commands.get(ci)
        && let Some(v) = inline(cmd, &prefix)
    {
        return Some(v);
    }
    if let Some((_, v)) = script
        .variables_before(ci)
        .into_iter()
        .rev()
        .find(|(k, _)| k == name)
    {
        return Some(v);
    }
    let state = cx.build().state(index)?;
    state.scope.get(name).map(str::to_string)
}

/// `X=1 cmd`, `env X=1 cmd`, `sudo X=1 cmd`.
fn inline(cmd: &SimpleCommand, prefix: &str) -> Option<String> {
    let (program, _) = cmd.unwrapped();
    let before_program: Vec<_> = cmd
        .args
        .iter()
        .take_while(|w| program.is_none_or(|p| p.span != w.span))
        .collect();
    cmd.assignments
        .iter()
        .chain(before_program)
        .rev()
        .find_map(|w| w.value.strip_prefix(prefix).map(str::to_string))
}

/// Whether a variable's value means "on": `1`, `true`, `yes`, `on`.
pub fn is_truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "t" | "yes" | "y" | "on"
    )
}

/// Whether `name` is set to an "on" value where command `ci` runs.
pub fn is_on(cx: &Context<'_>, index: usize, script: &Script, ci: usize, name: &str) -> bool {
    variable(cx, index, script, ci, name).is_some_and(|v| is_truthy(&v))
}
