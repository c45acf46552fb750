use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::source::Span;
use crate::syntax::{Args, Instruction, Kind};

/// IL1009
pub struct ExposeProtocolCasing;

const META: Meta = Meta {
    code: "IL1009",
    name: "expose-protocol-casing",
    aliases: &["ExposeProtoCasing"],
    severity: Severity::Style,
    category: Category::Style,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`EXPOSE 80/TCP`: the protocol in uppercase",
    doc: include_str!("../../../rules/expose-protocol-casing.md"),
    target: Target::Dockerfile,
};

impl Rule for ExposeProtocolCasing {
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
        for w in words {
            let Some(slash) = w.text.rfind('/') else {
                continue;
            };
            let proto = &w.text[slash + 1..];
            let lower = proto.to_ascii_lowercase();
            if proto == lower || proto.contains('$') || w.span.text(cx.text()) != w.text {
                continue;
            }
            let span = Span::new(w.span.start + slash as u32 + 1, w.span.end);
            cx.report(span, format!("protocol `{proto}` is not lowercase"))
                .help(format!("write `{lower}`"))
                .fix(Fix::safe(
                    format!("write `{lower}`"),
                    vec![Edit::replace(span, lower.clone())],
                ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_uppercase_protocols() {
        fires(
            "IL1009",
            "FROM alpine\nEXPOSE 80/TCP 53/Udp\n",
            &[
                "2:11 IL1009 protocol `TCP` is not lowercase",
                "2:18 IL1009 protocol `Udp` is not lowercase",
            ],
        );
        assert_eq!(
            fixed(
                "IL1009",
                "FROM alpine\nEXPOSE 80/TCP\n",
                Applicability::Safe
            ),
            "FROM alpine\nEXPOSE 80/tcp\n"
        );
    }

    #[test]
    fn passes_for_lowercase_or_no_protocol() {
        passes(
            "IL1009",
            "FROM alpine\nEXPOSE 80 443/tcp 53/udp 8000-8010/sctp ${PORT}/${PROTO}\n",
        );
    }
}
