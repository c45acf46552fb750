//! What a Dockerfile's image will weigh before it is built: the base of
//! every stage from the table, the layers the Dockerfile adds where they can
//! be known, the final image with a range, and lighter bases that run the
//! same program.

use serde::Serialize;

use super::context::{BuildContext, ContextFile, clean, measure_files, measure_text};
use super::facts::{Family, facts};
use super::table::{Size, Table, packages};
use crate::graph::{Base, Build, EdgeTarget, ImageRef, join_path};
use crate::shell::apt::{apt_any, package_names};
use crate::shell::args::Args as ShellArgs;
use crate::shell::{self, Script};
use crate::source::SourceFile;
use crate::syntax::{Args, Dockerfile, Instruction, Kind};

/// Nearest-tag figures are another version's: give or take this much.
const NEAREST_PERCENT: u64 = 20;

/// What the estimate reads besides the Dockerfile.
pub struct Options<'a> {
    pub table: &'a Table,
    /// The build context, when it is on disk.
    pub context: Option<&'a BuildContext>,
    /// The target architecture (`amd64`, `arm64`).
    pub arch: String,
}

/// How a base image was sized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseStatus {
    /// The tag is in the table.
    Exact,
    /// Another tag of the same repository and variant.
    Nearest,
    Scratch,
    /// An earlier stage: counted there.
    Stage,
    /// Not in the table (a private image, an unusual variant) or not
    /// resolvable (`FROM $BASE` without a value).
    Unknown,
}

/// A stage's base and its size.
#[derive(Clone, Debug, Serialize)]
pub struct BaseSize {
    /// As written, variables expanded.
    pub image: String,
    pub status: BaseStatus,
    /// The row used (`golang:1.25`).
    pub matched: Option<String>,
    #[serde(flatten)]
    pub size: Option<Bytes>,
    pub note: Option<String>,
    pub observed: Option<String>,
    pub source: Option<String>,
}

/// A size as JSON: estimate and range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Bytes {
    pub estimated_bytes: u64,
    pub low_bytes: u64,
    pub high_bytes: u64,
}

impl From<Size> for Bytes {
    fn from(s: Size) -> Bytes {
        Bytes {
            estimated_bytes: s.estimate,
            low_bytes: s.low,
            high_bytes: s.high,
        }
    }
}

impl Bytes {
    pub fn size(&self) -> Size {
        Size {
            low: self.low_bytes,
            estimate: self.estimated_bytes,
            high: self.high_bytes,
        }
    }
}

/// A layer the Dockerfile adds.
#[derive(Clone, Debug, Serialize)]
pub struct Layer {
    pub line: u32,
    /// The instruction, shortened.
    pub instruction: String,
    #[serde(flatten)]
    pub size: Option<Bytes>,
    /// How it was estimated, or why it cannot be.
    pub detail: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageSize {
    pub index: usize,
    pub name: Option<String>,
    pub line: u32,
    /// Part of the final image (the target stage or one of its `FROM`
    /// parents).
    pub in_final_image: bool,
    pub base: BaseSize,
    pub layers: Vec<Layer>,
}

/// A layer whose size is not known.
#[derive(Clone, Debug, Serialize)]
pub struct Unknown {
    pub line: u32,
    pub instruction: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct FinalSize {
    pub base: String,
    /// `None` when the base's size is unknown: nothing is guessed.
    #[serde(flatten)]
    pub size: NullableBytes,
    /// The known parts: the base and the layers that could be sized.
    pub base_bytes: Option<u64>,
    /// Layers that are not counted.
    pub unknown: Vec<Unknown>,
}

/// Bytes that are `null` in JSON when unknown.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct NullableBytes {
    pub estimated_bytes: Option<u64>,
    pub low_bytes: Option<u64>,
    pub high_bytes: Option<u64>,
}

impl From<Option<Size>> for NullableBytes {
    fn from(s: Option<Size>) -> NullableBytes {
        NullableBytes {
            estimated_bytes: s.map(|s| s.estimate),
            low_bytes: s.map(|s| s.low),
            high_bytes: s.map(|s| s.high),
        }
    }
}

/// A lighter base for the final stage.
#[derive(Clone, Debug, Serialize)]
pub struct Alternative {
    pub base: String,
    /// The row used.
    pub matched: String,
    /// The base alone.
    pub base_bytes: u64,
    /// The final image on this base.
    pub estimated_bytes: u64,
    /// Against the current final image; `None` when the current base's size
    /// is unknown.
    pub saving_bytes: Option<u64>,
    /// The alternative the size rule suggests.
    pub recommended: bool,
    pub note: Option<String>,
}

/// The whole estimate.
#[derive(Clone, Debug, Serialize)]
pub struct Estimate {
    pub version: u32,
    pub file: String,
    pub platform: String,
    /// The table's `last_verified` date.
    pub table_verified: String,
    pub stages: Vec<StageSize>,
    #[serde(rename = "final")]
    pub final_image: Option<FinalSize>,
    /// What the final image runs, as far as it decides the alternatives.
    pub program: Option<String>,
    pub alternatives: Vec<Alternative>,
}

/// The size of base `r` from the table.
pub fn base_size(table: &Table, r: &ImageRef, arch: &str) -> BaseSize {
    let image = r.original.clone();
    if r.is_scratch() {
        return BaseSize {
            image,
            status: BaseStatus::Scratch,
            matched: Some("scratch".into()),
            size: Some(Size::ZERO.into()),
            note: None,
            observed: None,
            source: None,
        };
    }
    let Some(found) = table.lookup(r) else {
        return BaseSize {
            image: image.clone(),
            status: BaseStatus::Unknown,
            matched: None,
            size: None,
            note: Some(format!(
                "`{image}` is not in the size table, so its size is unknown; `imglint size --refresh {image}` can add it"
            )),
            observed: None,
            source: None,
        };
    };
    let e = found.entry;
    let Some((mut size, other_arch)) = e.compressed_size(arch) else {
        return BaseSize {
            image,
            status: BaseStatus::Unknown,
            matched: Some(e.reference()),
            size: None,
            note: Some("the table has no size for it".into()),
            observed: Some(e.observed.clone()),
            source: Some(e.source.clone()),
        };
    };
    let mut notes = Vec::new();
    if !found.exact {
        let d = NEAREST_PERCENT;
        size = Size {
            low: size.low.saturating_sub(size.low * d / 100),
            estimate: size.estimate,
            high: size.high.saturating_add(size.high * d / 100),
        };
        let what = if r.tag.is_none() && r.digest.is_some() {
            format!("`{image}` is pinned by digest only")
        } else {
            format!("`{image}` is not in the table")
        };
        notes.push(format!(
            "{what}; sized as `{}`, the nearest known tag (±{d} %)",
            e.reference()
        ));
    }
    if let Some(other) = other_arch {
        notes.push(format!("no {arch} figure; the {other} one (±10 %)"));
    }
    if e.compressed_range.is_some() && !e.compressed.contains_key(arch) {
        notes.push("no exact figure is published; a range from the sources".into());
    }
    BaseSize {
        image,
        status: if found.exact {
            BaseStatus::Exact
        } else {
            BaseStatus::Nearest
        },
        matched: Some(e.reference()),
        size: Some(size.into()),
        note: (!notes.is_empty()).then(|| notes.join("; ")),
        observed: Some(e.observed.clone()),
        source: Some(e.source.clone()),
    }
}

/// Files a `COPY` wrote, by absolute image path, for `COPY --from`.
struct Written<'c> {
    stage: usize,
    instruction: usize,
    files: Vec<(String, &'c ContextFile)>,
}

/// Programs whose `RUN` writes next to nothing.
const TINY: &[&str] = &[
    "mkdir", "ln", "useradd", "adduser", "groupadd", "addgroup", "echo", "printf", "touch", "true",
    ":", "rm", "set", "export", "cd", "umask", "usermod", "groupmod", "id", "test", "[", "ls",
    "cat", "whoami", "which", "command",
];

fn short(ins: &Instruction, text: &str) -> String {
    let t = ins.span.text(text);
    let first = t.lines().next().unwrap_or("").trim_end_matches('\\').trim();
    let s: String = first.chars().take(60).collect();
    if s.chars().count() < first.chars().count() || t.lines().nth(1).is_some() {
        format!("{s} …")
    } else {
        s
    }
}

fn is_archive(p: &str) -> bool {
    [
        ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar.zst",
    ]
    .iter()
    .any(|e| p.to_ascii_lowercase().ends_with(e))
}

struct Estimator<'a> {
    file: &'a SourceFile,
    df: &'a Dockerfile,
    build: &'a Build,
    opts: &'a Options<'a>,
    scripts: Vec<Vec<Script>>,
    written: Vec<Written<'a>>,
}

impl<'a> Estimator<'a> {
    fn package_manager(&self, stage: usize) -> Option<String> {
        let root = *self.build.chain(stage).last()?;
        match &self.build.stages.get(root)?.base {
            Base::Image(r) => self
                .opts
                .table
                .lookup(r)
                .and_then(|f| f.entry.package_manager.clone()),
            _ => None,
        }
    }

    /// A `COPY`/`ADD` from the build context.
    fn context_copy(
        &mut self,
        stage: usize,
        i: usize,
        ins: &Instruction,
    ) -> (Option<Size>, String) {
        if !ins.heredocs.is_empty() {
            let text: String = ins.heredocs.iter().map(|h| h.content.as_str()).collect();
            return (
                Some(measure_text(&text)),
                "a heredoc in the Dockerfile".into(),
            );
        }
        let Args::Paths(paths) = &ins.args else {
            return (None, "no sources".into());
        };
        let Some((dest, sources)) = paths.words.split_last() else {
            return (None, "no sources".into());
        };
        let dest = self.build.expand_keep_unset(i, &dest.text);
        let sources: Vec<String> = sources
            .iter()
            .map(|w| self.build.expand_keep_unset(i, &w.text))
            .collect();
        if let Some(s) = sources
            .iter()
            .find(|s| s.contains("://") || s.starts_with("git@"))
        {
            return (None, format!("`{s}` is downloaded during the build"));
        }
        if let Some(s) = sources.iter().find(|s| s.contains('$')) {
            return (None, format!("`{s}` depends on a variable without a value"));
        }
        let Some(ctx) = self.opts.context else {
            return (
                None,
                "the build context is not on disk (standard input)".into(),
            );
        };
        let workdir = self
            .build
            .state(i)
            .and_then(|s| s.workdir.as_deref().map(str::to_string));
        let dest_abs = join_path(workdir.as_deref(), &dest);
        let dest_is_dir = dest.ends_with('/') || sources.len() > 1;
        let mut files: Vec<(String, &'a ContextFile)> = Vec::new();
        let mut archives = 0u64;
        for s in &sources {
            let Some(selected) = ctx.select(s) else {
                return (
                    None,
                    format!("`{s}` is not in the build context (or `.dockerignore` excludes it)"),
                );
            };
            let is_file_source = selected.len() == 1 && clean(s) == selected[0].0.path;
            for (f, rel) in selected {
                if ins.kind == Kind::Add && is_archive(&f.path) {
                    archives += f.bytes;
                    continue;
                }
                let target = if is_file_source && !dest_is_dir {
                    dest_abs.clone()
                } else {
                    join_path(Some(&dest_abs), &rel)
                };
                files.push((target, f));
            }
        }
        // safe: every `&ContextFile` borrows from `ctx`, which lives for 'a
        let list: Vec<&ContextFile> = files.iter().map(|(_, f)| *f).collect();
        let m = measure_files(&ctx.root, &list);
        let mut size = m.compressed;
        let mut detail = format!(
            "{} file{} from the build context, {} before compression",
            m.files,
            if m.files == 1 { "" } else { "s" },
            render_bytes(m.content)
        );
        if archives > 0 {
            // a local archive is unpacked: about as large compressed again
            size = size + Size::between(archives * 8 / 10, archives * 3 / 2);
            detail.push_str(&format!(
                "; archives of {} unpacked",
                render_bytes(archives)
            ));
        }
        if ctx.truncated {
            detail.push_str(" (the context listing was cut short)");
        }
        self.written.push(Written {
            stage,
            instruction: i,
            files,
        });
        (Some(size), detail)
    }

    /// `COPY --from=<stage or image>`.
    fn copy_from(&self, i: usize, ins: &Instruction, from: &EdgeTarget) -> (Option<Size>, String) {
        let Args::Paths(paths) = &ins.args else {
            return (None, "no sources".into());
        };
        let Some((_, sources)) = paths.words.split_last() else {
            return (None, "no sources".into());
        };
        let sources: Vec<String> = sources
            .iter()
            .map(|w| self.build.expand_keep_unset(i, &w.text))
            .collect();
        match from {
            EdgeTarget::Image(r) => {
                if sources.iter().all(|s| clean(s).is_empty()) {
                    let b = base_size(self.opts.table, r, &self.opts.arch);
                    if let Some(s) = b.size {
                        return (Some(s.size()), format!("all of `{}`", r.original));
                    }
                }
                (
                    None,
                    format!("files of the image `{}` are not in the table", r.original),
                )
            }
            EdgeTarget::Invalid(v) => (None, format!("`{v}` is not a stage or an image")),
            EdgeTarget::Stage(s) => {
                let chain = self.build.chain(*s);
                let label = self.build.stages[*s].label();
                let mut picked: Vec<&ContextFile> = Vec::new();
                let mut last_write = 0;
                for src in &sources {
                    let want = format!("/{}", clean(src));
                    let before = picked.len();
                    for w in self.written.iter().filter(|w| chain.contains(&w.stage)) {
                        for (path, f) in &w.files {
                            let under = want == "/"
                                || path == &want
                                || path.strip_prefix(&want).is_some_and(|r| r.starts_with('/'));
                            if under {
                                picked.push(f);
                                last_write = last_write.max(w.instruction);
                            }
                        }
                    }
                    if picked.len() == before {
                        return (
                            None,
                            format!("`{src}` is made by a `RUN` in stage `{label}` or its base"),
                        );
                    }
                }
                let run_after = chain.iter().any(|&c| {
                    self.build.stages[c].instructions().any(|j| {
                        j > last_write
                            && self
                                .df
                                .instructions
                                .get(j)
                                .is_some_and(|x| x.kind == Kind::Run)
                    })
                });
                if run_after {
                    return (
                        None,
                        format!("stage `{label}` runs commands after copying these files"),
                    );
                }
                let Some(ctx) = self.opts.context else {
                    return (None, "the build context is not on disk".into());
                };
                picked.sort_by(|a, b| a.path.cmp(&b.path));
                picked.dedup_by(|a, b| a.path == b.path);
                let m = measure_files(&ctx.root, &picked);
                (
                    Some(m.compressed),
                    format!(
                        "{} file{} stage `{label}` copied from the build context",
                        m.files,
                        if m.files == 1 { "" } else { "s" }
                    ),
                )
            }
        }
    }

    /// A `RUN`: package installs with known figures, trivial commands, or
    /// unknown.
    fn run(&self, stage: usize, i: usize, ins: &Instruction) -> (Option<Size>, String) {
        let scripts = &self.scripts[i];
        if scripts.is_empty() || scripts.iter().any(|s| s.error.is_some()) {
            return (None, "the command could not be read".into());
        }
        let scope = self
            .build
            .state(i)
            .map(|s| s.scope.clone())
            .unwrap_or_default();
        let apt_cached = ins
            .flags_named("mount")
            .any(|f| f.value_or_empty().contains("/var/lib/apt"));
        let mut packages_wanted: Vec<String> = Vec::new();
        let mut updates = false;
        let mut lists_removed = false;
        let mut others: Vec<String> = Vec::new();
        for script in scripts {
            for (ci, cmd) in script.commands.iter().enumerate() {
                if let Some(apt) = apt_any(cmd) {
                    let sub = apt.subcommand.map(|s| s.value.as_str()).unwrap_or("");
                    match sub {
                        "install" => {
                            for p in &apt.packages {
                                let names = package_names(script, ci, p, scope.as_ref());
                                if names.is_empty() {
                                    others.push(format!("`{}`", p.raw));
                                }
                                for n in names {
                                    let n = n.split('=').next().unwrap_or(&n).to_string();
                                    packages_wanted.push(n);
                                }
                            }
                        }
                        "update" => updates = true,
                        "clean" | "autoclean" | "autoremove" => {}
                        other => others.push(format!("`apt-get {other}`")),
                    }
                    continue;
                }
                let Some(a) = ShellArgs::of(cmd) else {
                    continue;
                };
                let program = a.program();
                if program == "rm" {
                    if a.words
                        .iter()
                        .any(|w| w.value.starts_with("/var/lib/apt/lists"))
                    {
                        lists_removed = true;
                    }
                    continue;
                }
                let recursive =
                    matches!(program, "chmod" | "chown" | "chgrp") && a.has(&['R'], &["recursive"]);
                if TINY.contains(&program)
                    || matches!(program, "chmod" | "chown" | "chgrp") && !recursive
                {
                    continue;
                }
                let what = if recursive {
                    format!("`{program} -R` (copies every file it changes)")
                } else {
                    format!("`{program}`")
                };
                if !others.contains(&what) {
                    others.push(what);
                }
            }
        }
        if !others.is_empty() {
            others.truncate(4);
            return (
                None,
                format!(
                    "runs {}: what it writes is not known before the build",
                    others.join(", ")
                ),
            );
        }
        if packages_wanted.is_empty() {
            if updates && !lists_removed && !apt_cached {
                return (None, "keeps the apt package lists: not estimated".into());
            }
            return (
                Some(Size {
                    low: 0,
                    estimate: 4096,
                    high: 64 * 1024,
                }),
                "only small changes (directories, links, users)".into(),
            );
        }
        if self.package_manager(stage).as_deref() != Some("apt") {
            return (
                None,
                "per-package figures are for Debian-based images".into(),
            );
        }
        let table = packages();
        packages_wanted.sort();
        packages_wanted.dedup();
        let missing: Vec<&String> = packages_wanted
            .iter()
            .filter(|p| table.get(p).is_none())
            .collect();
        if !missing.is_empty() {
            let list: Vec<String> = missing.iter().take(4).map(|p| format!("`{p}`")).collect();
            return (
                None,
                format!("no per-package figure for {}", list.join(", ")),
            );
        }
        if updates && !lists_removed && !apt_cached {
            return (
                None,
                "installs known packages but keeps the apt package lists: not estimated".into(),
            );
        }
        let found: Vec<_> = packages_wanted
            .iter()
            .filter_map(|p| table.get(p))
            .collect();
        let own: u64 = found.iter().map(|p| p.own).sum();
        let max_download = found.iter().map(|p| p.download).max().unwrap_or(0);
        let all_download: u64 = found.iter().map(|p| p.download).sum();
        // `.deb`s are xz-compressed, layers gzip: somewhat larger; the dpkg
        // database and logs add a little
        let high = all_download.saturating_mul(16) / 10 + 512 * 1024;
        let estimate = (own.max(max_download).saturating_mul(5) / 4).min(high);
        (
            Some(Size {
                low: own.min(estimate),
                estimate,
                high,
            }),
            format!(
                "{} from the Debian 12 package figures ({} with dependencies)",
                packages_wanted
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                render_bytes(all_download)
            ),
        )
    }

    fn stage(&mut self, s: usize, in_final: &[usize]) -> StageSize {
        let st = &self.build.stages[s];
        let line = self
            .df
            .instructions
            .get(st.from)
            .map(|i| i.start_line)
            .unwrap_or(0);
        let base = match &st.base {
            Base::Scratch => base_size(
                self.opts.table,
                &ImageRef::parse("scratch").expect("valid"),
                &self.opts.arch,
            ),
            Base::Image(r) => base_size(self.opts.table, r, &self.opts.arch),
            Base::Stage(p) => BaseSize {
                image: self.build.stages[*p].label(),
                status: BaseStatus::Stage,
                matched: None,
                size: None,
                note: Some(format!("stage `{}`", self.build.stages[*p].label())),
                observed: None,
                source: None,
            },
            Base::Invalid { text, reason } => BaseSize {
                image: text.clone(),
                status: BaseStatus::Unknown,
                matched: None,
                size: None,
                note: Some(format!("the base is not known before the build: {reason}")),
                observed: None,
                source: None,
            },
        };
        let mut layers = Vec::new();
        for i in st.instructions() {
            let Some(ins) = self.df.instructions.get(i) else {
                continue;
            };
            let (size, detail) = match ins.kind {
                Kind::Copy | Kind::Add => {
                    let from = ins.flag("from").map(|f| {
                        self.build
                            .resolve_from(&self.build.expand_keep_unset(i, f.value_or_empty()))
                    });
                    match from {
                        Some(target) => self.copy_from(i, ins, &target),
                        None => self.context_copy(s, i, ins),
                    }
                }
                Kind::Run => self.run(s, i, ins),
                _ => continue,
            };
            layers.push(Layer {
                line: ins.start_line,
                instruction: short(ins, &self.file.text),
                size: size.map(Bytes::from),
                detail,
            });
        }
        StageSize {
            index: s,
            name: st.name.clone(),
            line,
            in_final_image: in_final.contains(&s),
            base,
            layers,
        }
    }
}

/// Estimates the image `df` builds.
pub fn estimate(file: &SourceFile, df: &Dockerfile, build: &Build, opts: &Options<'_>) -> Estimate {
    let scripts: Vec<Vec<Script>> = df
        .instructions
        .iter()
        .enumerate()
        .map(|(i, ins)| {
            if ins.kind == Kind::Run {
                shell::scripts(&file.text, ins, build.state(i))
            } else {
                Vec::new()
            }
        })
        .collect();
    let target = build.target;
    let chain = target.map(|t| build.chain(t)).unwrap_or_default();
    let mut est = Estimator {
        file,
        df,
        build,
        opts,
        scripts,
        written: Vec::new(),
    };
    let mut stages = Vec::new();
    for s in 0..build.stages.len() {
        if build.reaches(s) {
            stages.push(est.stage(s, &chain));
        }
    }
    let final_image = target.map(|t| final_size(build, &stages, &chain, t));
    let (program, alternatives) = match (&final_image, target) {
        (Some(f), Some(t)) => {
            let found = detect_program(build, t, &|i| {
                est.scripts.get(i).map(Vec::as_slice).unwrap_or(&[])
            });
            let current = root_image(build, t);
            let alts = match (&found, &current) {
                (Some(p), Some(cur)) => alternatives(opts.table, &opts.arch, cur, p, f),
                _ => Vec::new(),
            };
            (found.map(|p| p.describe()), alts)
        }
        _ => (None, Vec::new()),
    };
    Estimate {
        version: 1,
        file: file.path.display().to_string(),
        platform: format!("linux/{}", opts.arch),
        table_verified: opts.table.last_verified.clone(),
        stages,
        final_image,
        program,
        alternatives,
    }
}

/// The external base of the target's `FROM` chain (scratch included).
fn root_image(build: &Build, target: usize) -> Option<ImageRef> {
    match build.root_base(target)? {
        Base::Image(r) => Some(r.clone()),
        Base::Scratch => ImageRef::parse("scratch").ok(),
        _ => None,
    }
}

fn final_size(build: &Build, stages: &[StageSize], chain: &[usize], target: usize) -> FinalSize {
    let root = chain.last().copied().unwrap_or(target);
    let root_stage = stages.iter().find(|s| s.index == root);
    let base_name = root_stage
        .map(|s| s.base.image.clone())
        .unwrap_or_else(|| build.stages[root].label());
    let base = root_stage.and_then(|s| s.base.size);
    let mut total = base.map(|b| b.size());
    let mut unknown = Vec::new();
    for s in stages.iter().filter(|s| chain.contains(&s.index)) {
        for l in &s.layers {
            match l.size {
                Some(b) => total = total.map(|t| t + b.size()),
                None => unknown.push(Unknown {
                    line: l.line,
                    instruction: l.instruction.clone(),
                    reason: l.detail.clone(),
                }),
            }
        }
    }
    FinalSize {
        base: base_name,
        size: total.into(),
        base_bytes: base.map(|b| b.estimated_bytes),
        unknown,
    }
}

/// What the final image runs, as far as the base choice goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Program {
    /// A Go binary; `static_` when cgo is off.
    Go {
        static_: bool,
    },
    /// A Rust binary; `static_` for musl targets.
    Rust {
        static_: bool,
    },
    /// A Node program on `node:<version>`.
    Node {
        version: Option<String>,
    },
    Python {
        version: Option<String>,
    },
    /// A Java program on a JDK image.
    Java {
        major: Option<String>,
    },
    Nginx {
        version: Option<String>,
    },
    /// Anything on `debian:<version>`.
    Debian {
        version: Option<String>,
    },
}

impl Program {
    pub fn describe(&self) -> String {
        match self {
            Program::Go { static_: true } => "a static Go binary".into(),
            Program::Go { static_: false } => "a Go binary that may use cgo".into(),
            Program::Rust { static_: true } => "a static (musl) Rust binary".into(),
            Program::Rust { static_: false } => "a Rust binary linked against glibc".into(),
            Program::Node { .. } => "a Node.js program".into(),
            Program::Python { .. } => "a Python program".into(),
            Program::Java { .. } => "a Java program on a JDK".into(),
            Program::Nginx { .. } => "nginx".into(),
            Program::Debian { .. } => "a program on Debian".into(),
        }
    }
}

/// The version part of a tag: `22` of `22-bookworm`, `lts` of `lts-slim`.
fn tag_version(r: &ImageRef) -> Option<String> {
    let tag = r.tag.as_deref()?;
    let first = tag.split('-').next()?;
    if matches!(first, "lts" | "current" | "stable" | "mainline") {
        return Some(first.to_string());
    }
    tag.split('-')
        .find(|t| t.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_string)
}

fn tag_words(r: &ImageRef) -> Vec<String> {
    r.tag
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase()
        .split('-')
        .map(str::to_string)
        .collect()
}

/// Whether a Go build runs with cgo off: `CGO_ENABLED=0` in the stage's
/// scope, on the command or exported earlier in the `RUN`; or an Alpine
/// builder without a C compiler installed.
fn go_is_static<'s>(
    build: &Build,
    stage_chain: &[usize],
    scripts: &dyn Fn(usize) -> &'s [Script],
) -> bool {
    let mut compiler_installed = false;
    let mut cgo_off = false;
    let mut builds = false;
    for &s in stage_chain.iter().rev() {
        for i in build.stages[s].instructions() {
            let scope_off = build
                .state(i)
                .and_then(|st| st.scope.var("CGO_ENABLED").and_then(|v| v.value.clone()))
                .is_some_and(|v| v == "0");
            for script in scripts(i) {
                for (ci, cmd) in script.commands.iter().enumerate() {
                    let Some(a) = ShellArgs::of(cmd) else {
                        continue;
                    };
                    if matches!(a.program(), "apk" | "apt-get" | "apt")
                        && a.words.iter().any(|w| {
                            matches!(
                                w.value.as_str(),
                                "gcc" | "build-base" | "musl-dev" | "clang"
                            )
                        })
                    {
                        compiler_installed = true;
                    }
                    if a.program() == "go"
                        && a.words
                            .first()
                            .is_some_and(|w| w.value == "build" || w.value == "install")
                    {
                        builds = true;
                        let inline = cmd
                            .assignments
                            .iter()
                            .chain(cmd.args.iter())
                            .any(|w| w.value == "CGO_ENABLED=0");
                        let exported = script
                            .variables_before(ci)
                            .iter()
                            .any(|(k, v)| k == "CGO_ENABLED" && v == "0");
                        if inline || exported || scope_off {
                            cgo_off = true;
                        }
                    }
                }
            }
        }
    }
    let alpine = match build.root_base(stage_chain[0]) {
        Some(Base::Image(r)) => tag_words(r).iter().any(|w| w.starts_with("alpine")),
        _ => false,
    };
    cgo_off || (builds && alpine && !compiler_installed)
}

fn rust_is_static<'s>(
    build: &Build,
    stage_chain: &[usize],
    scripts: &dyn Fn(usize) -> &'s [Script],
) -> bool {
    let alpine = match build.root_base(stage_chain[0]) {
        Some(Base::Image(r)) => {
            tag_words(r).iter().any(|w| w.starts_with("alpine")) || r.name().contains("musl")
        }
        _ => false,
    };
    let musl_target = stage_chain.iter().any(|&s| {
        build.stages[s].instructions().any(|i| {
            scripts(i).iter().any(|sc| {
                sc.commands.iter().any(|c| {
                    c.args.iter().any(|w| w.value.contains("-linux-musl"))
                        || c.assignments.iter().any(|w| w.value.contains("crt-static"))
                })
            })
        })
    });
    alpine || musl_target
}

/// Which toolchain a stage chain builds with.
fn builds_with<'s>(
    build: &Build,
    chain: &[usize],
    scripts: &dyn Fn(usize) -> &'s [Script],
) -> Option<&'static str> {
    if let Some(Base::Image(r)) = build.root_base(chain[0])
        && let Some(tc) = facts(r).toolchain
    {
        return Some(match tc {
            "Go" => "Go",
            "Rust" => "Rust",
            t if t.starts_with("Java") => "Java",
            _ => "other",
        });
    }
    for &s in chain {
        for i in build.stages[s].instructions() {
            for sc in scripts(i) {
                for c in &sc.commands {
                    let Some(a) = ShellArgs::of(c) else { continue };
                    let sub = a.words.first().map(|w| w.value.as_str());
                    match (a.program(), sub) {
                        ("go", Some("build" | "install")) => return Some("Go"),
                        ("cargo", Some("build" | "install")) => return Some("Rust"),
                        _ => {}
                    }
                }
            }
        }
    }
    None
}

/// What the target stage runs, judged from its base and the stages it
/// copies its program from.
pub fn detect_program<'s>(
    build: &Build,
    target: usize,
    scripts: &dyn Fn(usize) -> &'s [Script],
) -> Option<Program> {
    let chain = build.chain(target);
    let root = root_image(build, target)?;
    // a program built in another stage and copied in
    let mut builders: Vec<usize> = Vec::new();
    for &s in &chain {
        for e in build.edges_of(s) {
            if let EdgeTarget::Stage(b) = e.target
                && !chain.contains(&b)
                && !builders.contains(&b)
            {
                builders.push(b);
            }
        }
    }
    let own = builds_with(build, &chain, scripts);
    let mut candidates: Vec<(usize, &str)> = builders
        .iter()
        .filter_map(|&b| builds_with(build, &build.chain(b), scripts).map(|l| (b, l)))
        .collect();
    if let Some(l) = own {
        candidates.insert(0, (target, l));
    }
    for (s, lang) in candidates {
        let c = build.chain(s);
        match lang {
            "Go" => {
                return Some(Program::Go {
                    static_: go_is_static(build, &c, scripts),
                });
            }
            "Rust" => {
                return Some(Program::Rust {
                    static_: rust_is_static(build, &c, scripts),
                });
            }
            _ => {}
        }
    }
    let name = root.name();
    let version = tag_version(&root);
    let f = facts(&root);
    match name.as_str() {
        "node" => Some(Program::Node { version }),
        "python" => Some(Program::Python { version }),
        "nginx" => Some(Program::Nginx { version }),
        "debian" => Some(Program::Debian { version }),
        "maven" | "gradle" => Some(Program::Java { major: None }),
        _ if f.toolchain.is_some_and(|t| t.starts_with("Java"))
            && f.family == Some(Family::Toolchain) =>
        {
            Some(Program::Java {
                major: version.map(|v| v.split(['.', 'u']).next().unwrap_or(&v).to_string()),
            })
        }
        _ => None,
    }
}

/// A base that runs the same program.
struct Candidate {
    image: String,
    recommended: bool,
    note: Option<&'static str>,
}

fn cand(image: impl Into<String>, recommended: bool, note: Option<&'static str>) -> Candidate {
    Candidate {
        image: image.into(),
        recommended,
        note,
    }
}

const SCRATCH_NOTE: &str = "empty: copy CA certificates, tzdata and `/etc/passwd` in yourself";

fn static_bases(recommended: bool, note: Option<&'static str>) -> Vec<Candidate> {
    vec![
        cand(
            "gcr.io/distroless/static-debian12:nonroot",
            recommended,
            note,
        ),
        cand("cgr.dev/chainguard/static", false, note),
        cand("scratch", false, Some(note.unwrap_or(SCRATCH_NOTE))),
    ]
}

fn with_version(repo: &str, version: &Option<String>, variant: &str) -> String {
    match version {
        Some(v) => format!("{repo}:{v}-{variant}"),
        None => format!("{repo}:{variant}"),
    }
}

fn candidates(program: &Program) -> Vec<Candidate> {
    match program {
        Program::Go { static_: true } | Program::Rust { static_: true } => static_bases(true, None),
        Program::Go { static_: false } => {
            let mut v = vec![cand(
                "gcr.io/distroless/base-debian12:nonroot",
                true,
                Some("glibc, for a binary built with cgo"),
            )];
            v.extend(static_bases(
                false,
                Some("after building with `CGO_ENABLED=0`"),
            ));
            v
        }
        Program::Rust { static_: false } => {
            let mut v = vec![cand("gcr.io/distroless/cc-debian12:nonroot", true, None)];
            v.extend(static_bases(
                false,
                Some("after building for `x86_64-unknown-linux-musl`"),
            ));
            v
        }
        Program::Node { version } => vec![
            cand(with_version("node", version, "slim"), true, None),
            cand(
                with_version("node", version, "alpine"),
                false,
                Some("musl: native addons must be built on Alpine"),
            ),
        ],
        Program::Python { version } => vec![
            cand(with_version("python", version, "slim"), true, None),
            cand(
                with_version("python", version, "alpine"),
                false,
                Some("musl: packages without musllinux wheels compile from source"),
            ),
        ],
        Program::Java { major } => vec![cand(
            with_version("eclipse-temurin", major, "jre"),
            true,
            None,
        )],
        Program::Nginx { version } => {
            vec![cand(with_version("nginx", version, "alpine"), true, None)]
        }
        Program::Debian { version } => {
            vec![cand(with_version("debian", version, "slim"), true, None)]
        }
    }
}

/// The candidate bases lighter than `current`, with their sizes.
pub struct BaseAlternative {
    pub image: String,
    pub matched: String,
    pub size: Size,
    pub recommended: bool,
    pub note: Option<&'static str>,
}

/// Lighter bases for `program` than `current` (by estimate), lightest first.
pub fn lighter_bases(
    table: &Table,
    arch: &str,
    current: &ImageRef,
    program: &Program,
) -> Vec<BaseAlternative> {
    let cur = base_size(table, current, arch).size.map(|b| b.size());
    let current_words = tag_words(current);
    let current_name = if current.is_scratch() {
        "scratch".to_string()
    } else {
        current.name()
    };
    let mut out = Vec::new();
    for c in candidates(program) {
        let Ok(r) = ImageRef::parse(&c.image) else {
            continue;
        };
        let same_repo = if r.is_scratch() {
            current.is_scratch()
        } else {
            r.name() == current_name
        };
        // the same variant is no alternative
        if same_repo && tag_words(&r).last() == current_words.last() {
            continue;
        }
        let b = base_size(table, &r, arch);
        let (Some(size), Some(matched)) = (b.size, b.matched) else {
            continue;
        };
        let size = size.size();
        if cur.is_some_and(|c| size.estimate >= c.estimate) {
            continue;
        }
        out.push(BaseAlternative {
            image: c.image,
            matched,
            size,
            recommended: c.recommended,
            note: c.note,
        });
    }
    out.sort_by_key(|a| a.size.estimate);
    out
}

fn alternatives(
    table: &Table,
    arch: &str,
    current: &ImageRef,
    program: &Program,
    f: &FinalSize,
) -> Vec<Alternative> {
    let cur_base = f.base_bytes;
    let layers_known = f
        .size
        .estimated_bytes
        .zip(cur_base)
        .map(|(t, b)| t.saturating_sub(b));
    lighter_bases(table, arch, current, program)
        .into_iter()
        .map(|a| {
            let layers = layers_known.unwrap_or(0);
            let estimated = a.size.estimate + layers;
            Alternative {
                base: a.image,
                matched: a.matched,
                base_bytes: a.size.estimate,
                estimated_bytes: estimated,
                saving_bytes: f.size.estimated_bytes.map(|t| t.saturating_sub(estimated)),
                recommended: a.recommended,
                note: a.note.map(str::to_string),
            }
        })
        .collect()
}

/// `12.3 MB`, `640 kB`, `0 B` (decimal units, as registries show them).
pub fn render_bytes(n: u64) -> String {
    if n >= 1_000_000_000 {
        format!("{:.2} GB", n as f64 / 1e9)
    } else if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1e6)
    } else if n >= 1_000 {
        format!("{} kB", (n as f64 / 1e3).round() as u64)
    } else {
        format!("{n} B")
    }
}
