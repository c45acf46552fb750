use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::ShellWord;
use crate::shell::args::Args;
use crate::syntax::{Instruction, Kind};

/// DL3046
pub struct UseraddWithoutNoLogInit;

const META: Meta = Meta {
    code: "DL3046",
    name: "useradd-without-no-log-init",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`useradd` with a high UID and without `-l` writes a huge sparse log file",
    doc: include_str!("../../../rules/useradd-without-no-log-init.md"),
    target: Target::Dockerfile,
};

/// The word holding the `-u`/`--uid` value and where the value starts in it.
fn uid_word(words: &[ShellWord]) -> Option<(&ShellWord, usize)> {
    let mut it = words.iter().peekable();
    while let Some(w) = it.next() {
        let v = w.value.as_str();
        if v == "--" {
            break;
        }
        if v == "--uid" {
            return it.peek().map(|n| (*n, 0));
        }
        if v.starts_with("--uid=") {
            return Some((w, 6));
        }
        if let Some(short) = v.strip_prefix('-')
            && !short.starts_with('-')
        {
            // `-u 1000`, `-ou 1000`, `-u1000`
            if let Some(at) = short.find('u') {
                let rest = &short[at + 1..];
                if rest.is_empty() {
                    return it.peek().map(|n| (*n, 0));
                }
                if short[..at].chars().all(|c| c.is_ascii_alphabetic()) {
                    return Some((w, 1 + at + 1));
                }
            }
        }
    }
    None
}

impl Rule for UseraddWithoutNoLogInit {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let scope = cx.state().map(|s| s.scope.clone()).unwrap_or_default();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(args) = Args::of(cmd) else { continue };
                if args.program() != "useradd" || args.has(&['l'], &["no-log-init"]) {
                    continue;
                }
                let Some((word, at)) = uid_word(args.words) else {
                    continue;
                };
                let Some(values) = script.resolve_words(ci, word, scope.as_ref()) else {
                    continue;
                };
                let Some(value) = values.first() else {
                    continue;
                };
                let uid = value.get(at..).unwrap_or("");
                // lastlog holds a record for every UID up to this one
                if uid.len() <= 5 || !uid.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                let name = args.name.span;
                cx.report(
                    name,
                    format!("`useradd` without `-l` for UID {uid} fills a sparse log file"),
                )
                .help("add `-l` (`--no-log-init`) so `/var/log/lastlog` and `faillog` stay empty")
                .label(word.span, "a high UID")
                .fix(Fix::unsafe_(
                    "add `-l`",
                    vec![Edit::insert(name.end, " -l")],
                ));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_high_uids_without_l() {
        fires(
            "DL3046",
            "FROM debian\nRUN useradd -u 123456 app\n",
            &["2:5 DL3046 `useradd` without `-l` for UID 123456 fills a sparse log file"],
        );
        fires(
            "DL3046",
            "FROM debian\nARG UID=1000000\nRUN groupadd -g 1000 app \\\n  # user\n  && useradd --uid=${UID} -m app\n",
            &["5:6 DL3046 `useradd` without `-l` for UID 1000000 fills a sparse log file"],
        );
        fires(
            "DL3046",
            "FROM debian\nONBUILD RUN useradd -ou 999999 app\n",
            &["2:13 DL3046 `useradd` without `-l` for UID 999999 fills a sparse log file"],
        );
        fires(
            "DL3046",
            "FROM debian\nRUN <<EOF\nuseradd -u 100000 app\nEOF\n",
            &["3:1 DL3046 `useradd` without `-l` for UID 100000 fills a sparse log file"],
        );
    }

    #[test]
    fn points_at_useradd() {
        assert_eq!(
            spans(
                "DL3046",
                "FROM debian\nRUN /usr/sbin/useradd -u 123456 app\n"
            ),
            ["/usr/sbin/useradd"]
        );
    }

    #[test]
    fn fixes_by_adding_l() {
        assert_eq!(
            fixed(
                "DL3046",
                "FROM debian\nRUN useradd -u 123456 app\n",
                Applicability::Unsafe
            ),
            "FROM debian\nRUN useradd -l -u 123456 app\n"
        );
    }

    #[test]
    fn passes_with_l_or_low_uids() {
        for run in [
            "useradd -l -u 123456 app",
            "useradd --no-log-init -u 123456 app",
            "useradd -lmu 123456 app",
            "useradd -u 1000 app",
            "useradd -u 65534 app",
            "useradd -u $UID app",
            "adduser -u 123456 app",
        ] {
            passes("DL3046", &format!("FROM debian\nRUN {run}\n"));
        }
    }
}
