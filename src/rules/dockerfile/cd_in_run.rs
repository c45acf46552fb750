use crate::rules::*;
use crate::syntax::{Instruction, Kind};

/// DL3003
pub struct CdInRun;

const META: Meta = Meta {
    code: "DL3003",
    name: "cd-in-run",
    aliases: &["DS-0013", "DS013", "docker-use-workdir-over-cd"],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`cd` in `RUN`: use `WORKDIR` to change directory",
    doc: include_str!("../../../rules/cd-in-run.md"),
    target: Target::Dockerfile,
};

impl Rule for CdInRun {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let scripts = cx.scripts();
        let cds: Vec<_> = scripts
            .iter()
            .flat_map(|s| s.commands.iter())
            // `$(cd dir && pwd)` only computes a path
            .filter(|c| c.is("cd") && !c.context.substitution)
            .collect();
        let Some(first) = cds.first() else { return };
        let Some(name) = &first.name else { return };
        let mut report = cx
            .report(name.span, "`cd` changes directory only for this `RUN`")
            .help("use `WORKDIR` to set the directory for the instructions that follow");
        for other in cds.iter().skip(1).filter_map(|c| c.name.as_ref()) {
            report = report.label(other.span, "and here");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_once_per_run_at_the_first_cd() {
        fires(
            "DL3003",
            "FROM alpine\nRUN cd /tmp && make && cd /\n",
            &["2:5 DL3003 `cd` changes directory only for this `RUN`"],
        );
        fires(
            "DL3003",
            "FROM alpine\nRUN apk add x \\\n  # build it\n  && cd /src \\\n  && make\n",
            &["4:6 DL3003 `cd` changes directory only for this `RUN`"],
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3003",
            "FROM alpine\nRUN <<EOF\nset -e\ncd /src\nmake\nEOF\n",
            &["4:1 DL3003 `cd` changes directory only for this `RUN`"],
        );
        fires(
            "DL3003",
            "FROM alpine\nONBUILD RUN cd /x && make\n",
            &["2:13 DL3003 `cd` changes directory only for this `RUN`"],
        );
    }

    #[test]
    fn passes_without_cd() {
        passes("DL3003", "FROM alpine\nWORKDIR /src\nRUN make\n");
        passes("DL3003", "FROM alpine\nRUN echo cd\n");
        passes(
            "DL3003",
            "FROM alpine\nRUN DIR=$(cd /x && pwd) && echo $DIR\n",
        );
        passes("DL3003", "FROM alpine\nRUN [\"cd\", \"/x\"]\n");
    }
}
