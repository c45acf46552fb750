//! Mapping image history back to the Dockerfile that built it.
//!
//! The final stage's instructions are matched to the history from the end
//! backwards: an entry matches the nearest remaining instruction of the same
//! keyword whose text agrees (the `RUN` command, the `COPY`/`ADD`
//! destination, the first `ENV`/`LABEL` key), or else the next instruction
//! in line when it has that keyword. Entries left over belong to the base
//! image.

use std::io::Read;
use std::path::Path;

use super::DockerfileLocation;
use super::config::{HistoryInstruction, ImageConfig};
use super::error::ImageError;
use crate::source::{SourceFile, Span};
use crate::syntax::{self, Dockerfile, Instruction, Kind};

const MAX_DOCKERFILE_BYTES: u64 = 16 * 1024 * 1024;

pub struct Mapping {
    /// The Dockerfile as read.
    pub file: SourceFile,
    pub dockerfile: Dockerfile,
    /// Per history entry, the index of its top-level instruction.
    instructions: Vec<Option<usize>>,
}

impl Mapping {
    pub fn load(path: &Path, config: &ImageConfig) -> Result<Mapping, ImageError> {
        let file = std::fs::File::open(path).map_err(|e| ImageError::io(path, e))?;
        let mut bytes = Vec::new();
        file.take(MAX_DOCKERFILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| ImageError::io(path, e))?;
        if bytes.len() as u64 > MAX_DOCKERFILE_BYTES {
            return Err(ImageError::Dockerfile {
                path: path.to_path_buf(),
                message: "larger than 16 MiB".into(),
            });
        }
        let text = crate::source::decode(bytes).map_err(|_| ImageError::Dockerfile {
            path: path.to_path_buf(),
            message: "not UTF-8 text".into(),
        })?;
        Ok(Mapping::new(path.display().to_string(), text, config))
    }

    pub fn new(path: impl Into<String>, text: impl Into<String>, config: &ImageConfig) -> Mapping {
        let file = SourceFile::new(path.into(), text.into());
        let dockerfile = syntax::parse(&file.text);
        let instructions = &dockerfile.instructions;
        let stage_start = instructions
            .iter()
            .rposition(|i| i.kind == Kind::From)
            .map_or(0, |p| p + 1);
        let stage = instructions.get(stage_start..).unwrap_or_default();
        let mut mapped = vec![None; config.history.len()];
        // next candidate is stage[..next]
        let mut next = stage.len();
        for (h, entry) in config.history.iter().enumerate().rev() {
            if next == 0 {
                break;
            }
            let hi = entry.instruction();
            if hi.keyword.is_empty() {
                continue;
            }
            let window = stage.get(..next).unwrap_or_default();
            let by_text = window
                .iter()
                .rposition(|ins| ins.kind.name() == hi.keyword && text_agrees(ins, &hi));
            let in_line = window
                .iter()
                .rposition(|ins| ins.kind != Kind::Arg)
                .filter(|&k| {
                    window
                        .get(k)
                        .is_some_and(|ins| ins.kind.name() == hi.keyword)
                });
            if let Some(k) = by_text.or(in_line)
                && let Some(slot) = mapped.get_mut(h)
            {
                *slot = Some(stage_start + k);
                next = k;
            }
        }
        Mapping {
            file,
            dockerfile,
            instructions: mapped,
        }
    }

    /// The top-level instruction that made history entry `history`.
    pub fn instruction(&self, history: usize) -> Option<usize> {
        self.instructions.get(history).copied().flatten()
    }

    /// The span of the instruction that made history entry `history`.
    pub fn span(&self, history: usize) -> Option<Span> {
        let i = self.instruction(history)?;
        self.dockerfile.instructions.get(i).map(|ins| ins.span)
    }

    pub fn location(&self, history: usize) -> Option<DockerfileLocation> {
        let i = self.instruction(history)?;
        let ins = self.dockerfile.instructions.get(i)?;
        Some(location(
            &self.file.path.display().to_string(),
            &self.file.text,
            ins,
        ))
    }
}

fn location(path: &str, text: &str, ins: &Instruction) -> DockerfileLocation {
    let first_line = ins.span.text(text).lines().next().unwrap_or_default();
    let mut instruction: String = first_line.chars().take(80).collect();
    if first_line.chars().count() > 80 {
        instruction.push('…');
    }
    DockerfileLocation {
        path: path.to_string(),
        start_line: ins.start_line,
        end_line: ins.end_line,
        span: (ins.span.start, ins.span.end),
        instruction,
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The instruction's arguments without the keyword and `--flags`.
fn arguments(ins: &Instruction) -> String {
    let text = ins.logical.text.trim_start();
    let rest = text.get(ins.keyword.text.len()..).unwrap_or_default();
    let words: Vec<&str> = rest.split_whitespace().collect();
    let skip = words.iter().take_while(|w| w.starts_with("--")).count();
    words.get(skip..).unwrap_or_default().join(" ")
}

fn text_agrees(ins: &Instruction, hi: &HistoryInstruction) -> bool {
    let args = arguments(ins);
    let hist = collapse(&hi.text);
    match ins.kind {
        Kind::Run => {
            let args = collapse(args.trim_start_matches('[').trim_end_matches(']'));
            !args.is_empty() && (hist == args || hist.contains(&args) || args.contains(&hist))
        }
        Kind::Copy | Kind::Add => {
            let dest = |s: &str| {
                s.split_whitespace()
                    .last()
                    .map(|d| d.trim_end_matches('/').to_string())
            };
            dest(&args).is_some() && dest(&args) == dest(&hist)
        }
        Kind::Env | Kind::Label | Kind::Arg => {
            let key = |s: &str| {
                s.split(|c: char| c == '=' || c.is_whitespace())
                    .next()
                    .unwrap_or_default()
                    .trim_matches('"')
                    .to_string()
            };
            key(&args) == key(&hist)
        }
        _ => collapse(&args) == hist,
    }
}

#[cfg(test)]
mod tests {
    use super::super::config::History;
    use super::*;

    fn config(entries: &[(&str, bool)]) -> ImageConfig {
        ImageConfig {
            history: entries
                .iter()
                .map(|(c, empty)| History {
                    created_by: c.to_string(),
                    empty_layer: *empty,
                    ..History::default()
                })
                .collect(),
            ..ImageConfig::default()
        }
    }

    const DOCKERFILE: &str = "\
FROM golang:1.22 AS build
RUN go build -o /app .

FROM alpine:3.20
ARG VERSION=1
RUN apk add --no-cache ca-certificates \\
    tzdata
COPY --from=build --chown=app /app /usr/local/bin/app
ENV MODE=prod
CMD [\"app\"]
";

    #[test]
    fn maps_buildkit_history_to_the_final_stage() {
        let c = config(&[
            ("ADD alpine-minirootfs.tar.gz / # buildkit", false),
            ("CMD [\"/bin/sh\"]", true),
            (
                "RUN |1 VERSION=1 /bin/sh -c apk add --no-cache ca-certificates     tzdata # buildkit",
                false,
            ),
            ("COPY /app /usr/local/bin/app # buildkit", false),
            ("ENV MODE=prod", true),
            ("CMD [\"app\"]", true),
        ]);
        let m = Mapping::new("Dockerfile", DOCKERFILE, &c);
        let lines: Vec<Option<(u32, u32)>> = (0..6)
            .map(|h| m.location(h).map(|l| (l.start_line, l.end_line)))
            .collect();
        assert_eq!(
            lines,
            [
                None,
                None,
                Some((6, 7)),
                Some((8, 8)),
                Some((9, 9)),
                Some((10, 10))
            ]
        );
        assert_eq!(
            m.location(3).map(|l| l.instruction),
            Some("COPY --from=build --chown=app /app /usr/local/bin/app".to_string())
        );
    }

    #[test]
    fn maps_classic_builder_history() {
        let c = config(&[
            ("/bin/sh -c #(nop) ADD file:abc in / ", false),
            ("/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", true),
            ("/bin/sh -c #(nop)  ARG VERSION=1", true),
            (
                "|1 VERSION=1 /bin/sh -c apk add --no-cache ca-certificates     tzdata",
                false,
            ),
            (
                "/bin/sh -c #(nop) COPY file:def in /usr/local/bin/app ",
                false,
            ),
            ("/bin/sh -c #(nop)  ENV MODE=prod", true),
            ("/bin/sh -c #(nop)  CMD [\"app\"]", true),
        ]);
        let m = Mapping::new("Dockerfile", DOCKERFILE, &c);
        assert_eq!(m.location(2).map(|l| l.start_line), Some(5));
        assert_eq!(m.location(3).map(|l| l.start_line), Some(6));
        assert_eq!(m.location(4).map(|l| l.start_line), Some(8));
        assert_eq!(m.location(1), None);
        assert_eq!(m.location(0), None);
    }

    #[test]
    fn unrelated_history_stays_unmapped() {
        let c = config(&[("/bin/sh -c make", false), ("WORKDIR /x", true)]);
        let m = Mapping::new("Dockerfile", "FROM scratch\nCOPY a /a\n", &c);
        assert_eq!(m.location(0), None);
        assert_eq!(m.location(1), None);
    }
}
