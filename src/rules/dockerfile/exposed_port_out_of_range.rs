use crate::rules::*;
use crate::source::Span;
use crate::syntax::{Args, Instruction, Kind};

/// DL3011
pub struct ExposedPortOutOfRange;

const META: Meta = Meta {
    code: "DL3011",
    name: "exposed-port-out-of-range",
    aliases: &["DS-0008", "DS008", "docker-port-out-of-range"],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`EXPOSE` names a port above 65535",
    doc: include_str!("../../../rules/exposed-port-out-of-range.md"),
    target: Target::Dockerfile,
};

/// The highest port in an `EXPOSE` item (`80`, `80/tcp`, `8000-9000`,
/// `127.0.0.1:80:80`), `None` when it is not numeric.
fn highest_port(item: &str) -> Option<u64> {
    let port = item.split('/').next().unwrap_or(item);
    // BuildKit keeps only the container part of `ip:host:container`
    let port = port.rsplit(':').next().unwrap_or(port);
    let (lo, hi) = port.split_once('-').unwrap_or((port, port));
    let parse = |s: &str| -> Option<u64> {
        let s = s.trim();
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // saturate absurd lengths instead of failing
        Some(s.parse::<u64>().unwrap_or(u64::MAX))
    };
    Some(parse(lo)?.max(parse(hi)?))
}

impl Rule for ExposedPortOutOfRange {
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
        let Some(i) = cx.instruction_index() else {
            return;
        };
        let mut bad: Vec<(Span, String)> = Vec::new();
        for w in words {
            // `EXPOSE $PORTS` may hold several ports
            for item in cx.expand_at(i, &w.text).split_whitespace() {
                if highest_port(item).is_some_and(|p| p > 65535) {
                    bad.push((w.span, item.to_string()));
                }
            }
        }
        let Some((span, item)) = bad.first().cloned() else {
            return;
        };
        let mut report = cx.report(
            span,
            format!("port `{item}` is out of range: ports go from 0 to 65535"),
        );
        for (s, other) in bad.iter().skip(1) {
            report = report.label(*s, format!("`{other}` is out of range too"));
        }
        report.help("expose a port between 0 and 65535");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_once_per_instruction() {
        fires(
            "DL3011",
            "FROM alpine\nEXPOSE 80 \\\n  70000/tcp 1-65536\n",
            &["3:3 DL3011 port `70000/tcp` is out of range: ports go from 0 to 65535"],
        );
        fires(
            "DL3011",
            "FROM alpine\nARG PORT=80000\nEXPOSE $PORT\n",
            &["3:8 DL3011 port `80000` is out of range: ports go from 0 to 65535"],
        );
        fires(
            "DL3011",
            "FROM alpine\nONBUILD EXPOSE 99999\n",
            &["2:16 DL3011 port `99999` is out of range: ports go from 0 to 65535"],
        );
    }

    #[test]
    fn passes_on_valid_ports() {
        passes(
            "DL3011",
            "FROM alpine\nEXPOSE 0 80/tcp 53/udp 8000-9000 65535 $PORT 127.0.0.1:80:8080\n",
        );
    }
}
