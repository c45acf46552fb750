//! No input makes the linter panic or hang: random bytes, Dockerfiles cut at
//! random points or with syntax spliced in at random, pathological lines.
//! Every finding's span lies inside the text, and applying every fix gives
//! text that lints again without a panic. The inputs come from a fixed seed,
//! so a failure reproduces.

mod support;

use imglint::fix::{Applicability, apply_fixes};
use imglint::lint::{LintSettings, lint_text, source_from_bytes};
use std::path::Path;

/// xorshift64*: small, deterministic, good enough to pick bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces of Dockerfile syntax that change how the rest is read.
const PIECES: &[&str] = &[
    "\\\n",
    "\\",
    "`\n",
    "\n",
    "\r\n",
    "\r",
    " ",
    "\t",
    "#",
    "# escape=`\n",
    "# syntax=x\n",
    "# check=skip=all\n",
    "<<EOF\n",
    "<<-EOF\n",
    "<<'EOF'\n",
    "EOF\n",
    "<<",
    "[",
    "]",
    "[\"",
    "\",",
    "\"",
    "'",
    "${",
    "}",
    "$",
    "${A:-",
    "${A/",
    "=",
    "--mount=",
    "--mount=type=cache,target=",
    "--from=",
    "--platform=",
    "RUN ",
    "FROM ",
    "FROM a AS b\n",
    "COPY ",
    "ONBUILD ",
    "ONBUILD ONBUILD ",
    "ARG A\n",
    "ENV A=",
    "HEALTHCHECK ",
    "CMD ",
    "SHELL [\"pwsh\"]\n",
    "apt-get install ",
    "&&",
    "|",
    "$(",
    ")",
    ";",
    "sudo ",
    "\0",
    "\u{feff}",
    "é",
    "\u{1F600}",
    "USER ",
    "WORKDIR ",
];

fn lint_checked(name: &str, text: &str, settings: &LintSettings) {
    let report = lint_text(name, text, settings);
    for f in &report.findings {
        assert!(
            f.span.start <= f.span.end && f.span.end as usize <= text.len(),
            "{name}: {} span {:?} outside the text ({} bytes)\n{text:?}",
            f.rule.code,
            f.span,
            text.len()
        );
    }
    let fixes = report.findings.iter().filter_map(|f| f.fix.as_ref());
    let fixed = apply_fixes(text, fixes, Applicability::Unsafe);
    if fixed.applied > 0 {
        lint_text(name, &fixed.text, settings);
    }
}

fn seeds() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if let Ok(text) = std::fs::read_to_string(&p) {
            out.push((p.display().to_string(), text));
        }
    }
    if let Some(files) = support::corpus_files() {
        // every 20th corpus file: a spread of real styles, in seconds
        for p in files.iter().step_by(20) {
            if let Ok(text) = std::fs::read_to_string(p) {
                out.push((p.display().to_string(), text));
            }
        }
    }
    out
}

fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[test]
fn random_bytes_never_panic() {
    let settings = LintSettings::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..3000 {
        let len = rng.below(400);
        // mostly Dockerfile-significant and printable ASCII; every fourth
        // input may hold any byte
        let any_byte = i % 4 == 0;
        let bytes: Vec<u8> = (0..len)
            .map(|_| match rng.below(4) {
                0 => {
                    let special = b"\n\\ #\"'[]${}=-<>`\t";
                    special[rng.below(special.len())]
                }
                3 if any_byte => rng.next() as u8,
                _ => 32 + rng.below(95) as u8,
            })
            .collect();
        let name = format!("random-{i}");
        // binary or invalid UTF-8 is an input error, never a panic
        if let Ok(file) = source_from_bytes(Path::new(&name), bytes) {
            lint_checked(&name, &file.text, &settings);
        }
    }
}

#[test]
fn truncated_files_never_panic() {
    let settings = LintSettings::default();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for (name, text) in seeds() {
        for _ in 0..8 {
            let at = boundary(&text, rng.below(text.len() + 1));
            lint_checked(&name, &text[..at], &settings);
        }
    }
}

#[test]
fn spliced_syntax_never_panics() {
    let settings = LintSettings::default();
    let mut rng = Rng(0x94D0_49BB_1331_11EB);
    for (name, text) in seeds() {
        for _ in 0..8 {
            let mut t = text.clone();
            for _ in 0..1 + rng.below(4) {
                let at = boundary(&t, rng.below(t.len() + 1));
                t.insert_str(at, PIECES[rng.below(PIECES.len())]);
            }
            lint_checked(&name, &t, &settings);
        }
    }
}

#[test]
fn pathological_inputs_finish() {
    let settings = LintSettings::default();
    let long_word = "a".repeat(1 << 20);
    let cases: Vec<(&str, String)> = vec![
        (
            "one huge RUN line",
            format!("FROM alpine\nRUN {}\n", "echo a && ".repeat(20_000)),
        ),
        (
            "one huge word",
            format!("FROM alpine\nRUN {long_word}\nCOPY {long_word} /x\n"),
        ),
        (
            "100k continuation lines",
            format!(
                "FROM alpine\nRUN true \\\n{}  && true\n",
                "  && true \\\n".repeat(100_000)
            ),
        ),
        (
            "100k comment lines in a continuation",
            format!(
                "FROM alpine\nRUN true \\\n{}  && true\n",
                "# c\n".repeat(100_000)
            ),
        ),
        (
            "nested expansions",
            format!(
                "FROM alpine\nARG A=1\nENV B={}x{}\n",
                "${A:-".repeat(5_000),
                "}".repeat(5_000)
            ),
        ),
        (
            "nested brackets",
            format!("FROM alpine\nCMD {}\n", "[".repeat(50_000)),
        ),
        (
            "nested substitutions",
            format!(
                "FROM alpine\nRUN echo {}x{}\n",
                "$(".repeat(2_000),
                ")".repeat(2_000)
            ),
        ),
        (
            "10k stages",
            (0..10_000)
                .map(|i| format!("FROM alpine AS s{i}\nCOPY --from=s{} /a /a\n", i.max(1) - 1))
                .collect(),
        ),
        (
            "10k heredocs",
            format!(
                "FROM alpine\nRUN {} true\n{}",
                "<<A ".repeat(10_000),
                "x\nA\n".repeat(10_000)
            ),
        ),
        (
            "unterminated heredoc at end",
            "FROM alpine\nRUN <<EOF\necho".to_string(),
        ),
        ("only continuations", "\\\n".repeat(10_000)),
        (
            "3k dependency steps",
            format!(
                "FROM node:22\n{}",
                "COPY package*.json Cargo.* ./\nRUN --mount=type=cache,target=/root/.npm npm install && cargo build && go mod tidy\n"
                    .repeat(3_000)
            ),
        ),
        (
            "2k stages built on each other",
            (0..2_000)
                .map(|i| {
                    let base = if i == 0 { "golang:1.23".to_string() } else { format!("s{}", i - 1) };
                    format!("FROM {base} AS s{i}\nCOPY go.* ./\nRUN go mod download && go build ./...\n")
                })
                .collect(),
        ),
        (
            "10k ARGs in FROM",
            format!(
                "{}FROM alpine:${{A9999}}\n",
                (0..10_000)
                    .map(|i| format!("ARG A{i}=x\n"))
                    .collect::<String>()
            ),
        ),
    ];
    for (name, text) in cases {
        let t = std::time::Instant::now();
        lint_checked(name, &text, &settings);
        eprintln!("{name}: {:?}", t.elapsed());
    }
}
