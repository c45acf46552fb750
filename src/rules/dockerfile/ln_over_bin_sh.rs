use crate::rules::*;
use crate::shell::args::Args;
use crate::syntax::{Instruction, Kind};

/// DL4005
pub struct LnOverBinSh;

const META: Meta = Meta {
    code: "DL4005",
    name: "ln-over-bin-sh",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`/bin/sh` is replaced with `ln`: use `SHELL` to change the shell",
    doc: include_str!("../../../rules/ln-over-bin-sh.md"),
    target: Target::Dockerfile,
};

/// Options of `ln` that take a value.
const LN_OPTIONS_WITH_VALUE: &[&str] = &["-S", "--suffix", "-t", "--target-directory"];

impl Rule for LnOverBinSh {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let found = cx
            .scripts()
            .iter()
            .flat_map(|s| s.commands.iter())
            .find_map(|c| {
                let args = Args::of(c)?;
                if args.program() != "ln" {
                    return None;
                }
                // the link made is the last operand (with two or more)
                let ops = args.operands(LN_OPTIONS_WITH_VALUE);
                let [_, .., link] = ops.as_slice() else {
                    return None;
                };
                matches!(link.value.as_str(), "/bin/sh" | "/usr/bin/sh").then_some(link.span)
            });
        if let Some(span) = found {
            cx.report(
                span,
                "`/bin/sh` is replaced, for every later step and at run time",
            )
            .help("set the shell of later instructions with `SHELL [\"/bin/bash\", \"-c\"]`");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_when_sh_is_replaced() {
        fires(
            "DL4005",
            "FROM debian\nRUN ln -sf /bin/bash /bin/sh\n",
            &["2:22 DL4005 `/bin/sh` is replaced, for every later step and at run time"],
        );
        fires(
            "DL4005",
            "FROM debian\nRUN rm /bin/sh \\\n  # bash\n  && ln -s bash /bin/sh\n",
            &["4:17 DL4005 `/bin/sh` is replaced, for every later step and at run time"],
        );
        fires(
            "DL4005",
            "FROM debian\nONBUILD RUN ln -snf /bin/bash /bin/sh\n",
            &["2:31 DL4005 `/bin/sh` is replaced, for every later step and at run time"],
        );
        fires(
            "DL4005",
            "FROM debian\nRUN <<EOF\nln -sf /bin/bash /bin/sh\nEOF\n",
            &["3:18 DL4005 `/bin/sh` is replaced, for every later step and at run time"],
        );
    }

    #[test]
    fn passes_when_sh_is_only_the_source() {
        passes(
            "DL4005",
            "FROM debian\nRUN ln -s /bin/sh /usr/local/bin/sh\n",
        );
        passes("DL4005", "FROM debian\nRUN ls -l /bin/sh\n");
        passes("DL4005", "FROM debian\nSHELL [\"/bin/bash\", \"-c\"]\n");
    }
}
