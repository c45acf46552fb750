use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};

/// IL1010
pub struct ExposeInvalidFormat;

const META: Meta = Meta {
    code: "IL1010",
    name: "expose-invalid-format",
    aliases: &["ExposeInvalidFormat"],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "`EXPOSE` with an IP address or a `host:container` port mapping",
    doc: include_str!("../../../rules/expose-invalid-format.md"),
    target: Target::Dockerfile,
};

impl Rule for ExposeInvalidFormat {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Expose]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::Words(words) = &ins.args else {
            return;
        };
        let index = cx.instruction_index().unwrap_or(0);
        for w in words {
            let value = if w.text.contains('$') {
                cx.expand_at(index, &w.text)
            } else {
                w.text.clone()
            };
            let Some(colon) = value.rfind(':') else {
                continue;
            };
            let container = &value[colon + 1..];
            // Docker exposes only the container port of a mapping
            let fix = (!w.text.contains('$')
                && !container.is_empty()
                && w.span.text(cx.text()) == w.text)
                .then(|| {
                    Fix::safe(
                        format!("expose `{container}`"),
                        vec![Edit::replace(w.span, container.to_string())],
                    )
                });
            cx.report(
                w.span,
                format!("`EXPOSE {value}` maps ports or names an address"),
            )
            .help(if container.is_empty() {
                "`EXPOSE` takes container ports only; map ports with `docker run -p`".to_string()
            } else {
                format!("write `EXPOSE {container}`; map host ports with `docker run -p`")
            })
            .maybe_fix(fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_mappings_and_addresses() {
        fires(
            "IL1010",
            "FROM alpine\nEXPOSE 8080:80 127.0.0.1:53:53/udp\n",
            &[
                "2:8 IL1010 `EXPOSE 8080:80` maps ports or names an address",
                "2:16 IL1010 `EXPOSE 127.0.0.1:53:53/udp` maps ports or names an address",
            ],
        );
        fires(
            "IL1010",
            "FROM alpine\nARG P=80:80\nEXPOSE $P\n",
            &["3:8 IL1010 `EXPOSE 80:80` maps ports or names an address"],
        );
    }

    #[test]
    fn keeps_the_container_port() {
        assert_eq!(
            fixed(
                "IL1010",
                "FROM alpine\nEXPOSE 8080:80 127.0.0.1:53:53/udp\n",
                Applicability::Safe
            ),
            "FROM alpine\nEXPOSE 80 53/udp\n"
        );
    }

    #[test]
    fn passes_for_ports_and_ranges() {
        passes(
            "IL1010",
            "FROM alpine\nARG P=80\nEXPOSE 80 443/tcp 8000-8010 $P ${Q}\n",
        );
    }
}
