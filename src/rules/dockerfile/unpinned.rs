//! How the version-pinning rules report: once per instruction, at the first
//! package without a version, the others labelled, so counts stay
//! comparable with hadolint's.

use crate::rules::Context;
use crate::source::Span;

/// Reports `unpinned` packages (name and the word that names it), if any;
/// `help` says how to pin the first one, given its name.
pub fn report_unpinned(
    cx: &mut Context<'_>,
    unpinned: &[(String, Span)],
    help: impl FnOnce(&str) -> String,
) {
    let Some((first, span)) = unpinned.first() else {
        return;
    };
    let help = help(first);
    let message = match unpinned.len() {
        1 => format!("`{first}` is installed without a version"),
        2 => format!("`{first}` and 1 more package are installed without a version"),
        n => format!(
            "`{first}` and {} more packages are installed without a version",
            n - 1
        ),
    };
    let mut r = cx.report(*span, message).help(help);
    for (name, span) in unpinned.iter().skip(1) {
        r = r.label(*span, format!("`{name}` is not pinned either"));
    }
}
