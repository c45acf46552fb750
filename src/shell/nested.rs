//! Scripts handed to a nested shell (`sh -c '…'`, `bash -c "…"`): they run
//! in a new shell process, which does not inherit the outer shell's options.

use super::Script;
use crate::source::Span;

/// Shells whose `-c` argument is a script.
const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"];

/// The source spans of the `-c` script words of the nested shells in
/// `script`.
pub fn nested_shell_scripts(script: &Script) -> Vec<Span> {
    script
        .commands
        .iter()
        .filter_map(|c| {
            let (name, args) = c.unwrapped();
            let name = name?;
            let base = name.value.rsplit('/').next().unwrap_or(&name.value);
            if !SHELLS.contains(&base) {
                return None;
            }
            let at = args.iter().position(|a| {
                a.value.starts_with('-') && !a.value.starts_with("--") && a.value.ends_with('c')
            })?;
            args.get(at + 1).map(|w| w.span)
        })
        .collect()
}

/// Whether `span` lies inside one of `nested`.
pub fn is_inside(span: Span, nested: &[Span]) -> bool {
    nested
        .iter()
        .any(|n| n.start <= span.start && span.end <= n.end)
}
