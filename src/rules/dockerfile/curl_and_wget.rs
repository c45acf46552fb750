use crate::graph::Stage;
use crate::rules::*;
use crate::source::Span;
use crate::syntax::Kind;

/// DL4001
pub struct CurlAndWget;

const META: Meta = Meta {
    code: "DL4001",
    name: "curl-and-wget",
    aliases: &["DS-0014", "DS014", "docker-standardise-remote-get"],
    severity: Severity::Warning,
    category: Category::Size,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "Both `curl` and `wget` are used in one stage: one download tool is enough",
    doc: include_str!("../../../rules/curl-and-wget.md"),
    target: Target::Dockerfile,
};

impl Rule for CurlAndWget {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_stage(&self, cx: &mut Context<'_>, stage: &Stage) {
        // the first use of each tool in the stage
        let mut first_curl: Option<Span> = None;
        let mut first_wget: Option<Span> = None;
        for i in stage.instructions() {
            if cx.instruction(i).is_none_or(|ins| ins.kind != Kind::Run) {
                continue;
            }
            let mut used: Option<(Span, &str)> = None;
            for cmd in cx.scripts_of(i).iter().flat_map(|s| s.commands.iter()) {
                let (Some(name), _) = cmd.unwrapped() else {
                    continue;
                };
                let base = name.value.rsplit('/').next().unwrap_or(&name.value);
                let slot = match base {
                    "curl" => &mut first_curl,
                    "wget" => &mut first_wget,
                    _ => continue,
                };
                slot.get_or_insert(name.span);
                if used.is_none() {
                    used = Some((name.span, if base == "curl" { "curl" } else { "wget" }));
                }
            }
            let (Some((span, tool)), Some(curl), Some(wget)) = (used, first_curl, first_wget)
            else {
                continue;
            };
            let (other, other_at) = if tool == "curl" {
                ("wget", wget)
            } else {
                ("curl", curl)
            };
            cx.report(
                span,
                format!("`{tool}` and `{other}` are both used in this stage"),
            )
            .help("download everything with one of them, and install only that one")
            .label(other_at, format!("`{other}` is used here"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_every_run_once_both_are_used() {
        fires(
            "DL4001",
            "FROM debian\nRUN curl -fsSLO https://e/a\nRUN wget -q https://e/b\nRUN curl -fsSLO https://e/c\n",
            &[
                "3:5 DL4001 `wget` and `curl` are both used in this stage",
                "4:5 DL4001 `curl` and `wget` are both used in this stage",
            ],
        );
        fires(
            "DL4001",
            "FROM debian\nRUN curl -fsSLO https://e/a \\\n  # and\n  && wget -q https://e/b\n",
            &["2:5 DL4001 `curl` and `wget` are both used in this stage"],
        );
        fires(
            "DL4001",
            "FROM debian\nRUN <<EOF\ncurl -fsSLO https://e/a\nwget -q https://e/b\nEOF\n",
            &["3:1 DL4001 `curl` and `wget` are both used in this stage"],
        );
    }

    #[test]
    fn points_at_the_tool_of_the_run() {
        assert_eq!(
            spans(
                "DL4001",
                "FROM debian\nRUN curl -O https://e/a\nRUN x && /usr/bin/wget -q https://e/b\n"
            ),
            ["/usr/bin/wget"]
        );
    }

    #[test]
    fn stages_are_separate() {
        passes(
            "DL4001",
            "FROM debian AS a\nRUN curl -fsSLO https://e/a\nFROM debian\nRUN wget -q https://e/b\n",
        );
    }

    #[test]
    fn passes_with_one_tool() {
        passes(
            "DL4001",
            "FROM debian\nRUN apt-get install -y curl wget\nRUN curl -fsSLO https://e/a\n",
        );
    }
}
