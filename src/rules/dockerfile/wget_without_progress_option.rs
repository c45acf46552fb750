use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::args::Args;
use crate::syntax::{Instruction, Kind};

/// DL3047
pub struct WgetWithoutProgressOption;

const META: Meta = Meta {
    code: "DL3047",
    name: "wget-without-progress-option",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Maintainability,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`wget` without `-nv`, `-q` or `--progress` fills the build log with a progress bar",
    doc: include_str!("../../../rules/wget-without-progress-option.md"),
    target: Target::Dockerfile,
};

/// Whether `wget` was told how to show progress, or to write its log
/// elsewhere: `-q`, `-nv`, `--progress=…`, `-o FILE`, `-a FILE`, also in
/// clusters such as `-qO-`.
fn controls_output(args: &Args<'_>) -> bool {
    for w in args.words {
        let v = w.value.as_str();
        if v == "--" {
            break;
        }
        if let Some(long) = v.strip_prefix("--") {
            let name = long.split('=').next().unwrap_or(long);
            if matches!(
                name,
                "quiet" | "progress" | "no-verbose" | "output-file" | "append-output"
            ) {
                return true;
            }
            continue;
        }
        let Some(short) = v.strip_prefix('-') else {
            continue;
        };
        // `-nv`, `-nc`, `-nd`: two-letter negations
        if let Some(neg) = short.strip_prefix('n') {
            if neg == "v" {
                return true;
            }
            continue;
        }
        for c in short.chars() {
            match c {
                'q' | 'o' | 'a' => return true,
                // the rest of the word is this option's value
                'O' | 'i' | 'B' | 't' | 'T' | 'w' | 'Q' | 'P' | 'e' | 'U' | 'D' | 'R' | 'A'
                | 'I' | 'X' | 'l' => break,
                _ => {}
            }
        }
    }
    false
}

impl Rule for WgetWithoutProgressOption {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let found: Vec<_> = cx
            .scripts()
            .iter()
            .flat_map(|s| s.commands.iter())
            .filter_map(|c| {
                let args = Args::of(c)?;
                (args.program() == "wget" && !controls_output(&args)).then_some(args.name.span)
            })
            .collect();
        let Some(first) = found.first() else { return };
        // `-nv` works in GNU and BusyBox wget alike
        let fix = Fix::safe(
            "add `-nv`",
            found.iter().map(|s| Edit::insert(s.end, " -nv")).collect(),
        );
        let mut r = cx
            .report(
                *first,
                "`wget` without `-nv` or `-q` writes a progress bar to the build log",
            )
            .help("add `-nv` (or `-q`, or `--progress=dot:giga` with GNU wget)")
            .fix(fix);
        for span in found.iter().skip(1) {
            r = r.label(*span, "and here");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_without_output_control() {
        fires(
            "DL3047",
            "FROM debian\nRUN wget https://example.com/a.tgz && wget -O b.tgz https://example.com/b\n",
            &["2:5 DL3047 `wget` without `-nv` or `-q` writes a progress bar to the build log"],
        );
        fires(
            "DL3047",
            "FROM debian\nRUN set -e \\\n  # fetch\n  && V=$(wget -O- https://example.com/v)\n",
            &["4:10 DL3047 `wget` without `-nv` or `-q` writes a progress bar to the build log"],
        );
        fires(
            "DL3047",
            "FROM debian\nONBUILD RUN wget https://example.com/a\n",
            &["2:13 DL3047 `wget` without `-nv` or `-q` writes a progress bar to the build log"],
        );
        fires(
            "DL3047",
            "FROM debian\nRUN <<EOF\nwget https://example.com/a\nEOF\n",
            &["3:1 DL3047 `wget` without `-nv` or `-q` writes a progress bar to the build log"],
        );
    }

    #[test]
    fn fixes_every_wget_of_the_instruction() {
        assert_eq!(
            fixed(
                "DL3047",
                "FROM debian\nRUN wget https://e/a && wget -O b https://e/b\n",
                Applicability::Safe
            ),
            "FROM debian\nRUN wget -nv https://e/a && wget -nv -O b https://e/b\n"
        );
    }

    #[test]
    fn passes_with_output_control() {
        for run in [
            "wget -q https://e/a",
            "wget -qO- https://e/a | sh",
            "wget --quiet https://e/a",
            "wget -nv https://e/a",
            "wget --no-verbose https://e/a",
            "wget --progress=dot:giga https://e/a",
            "wget -o /dev/null https://e/a",
            "wget --output-file=log https://e/a",
            "wget -a log https://e/a",
            "curl -fsSL https://e/a",
        ] {
            passes("DL3047", &format!("FROM debian\nRUN {run}\n"));
        }
    }
}
