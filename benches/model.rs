//! Parses every corpus Dockerfile and builds its model (stage graph, scopes,
//! and the shell view of every `RUN`), on one thread, and reports the
//! throughput and the heap the finished models hold against the input size.
//!
//!   cargo bench --bench model              # ../shared/corpus
//!   cargo bench --bench model -- FILE...   # these files

use imglint::graph::{Build, BuildOptions};
use imglint::syntax::{self, Args, Kind};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The system allocator, counting live and peak bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn corpus() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(manifest) = std::fs::read_to_string(root.join("MANIFEST.tsv")) else {
        eprintln!("no corpus at {}; pass files as arguments", root.display());
        std::process::exit(2);
    };
    manifest
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .map(|f| root.join(f))
        .collect()
}

struct Model {
    build: Build,
    scripts: usize,
}

fn model(text: &str, shell: bool) -> Model {
    let df = syntax::parse(text);
    let build = Build::new(&df, &BuildOptions::default());
    let mut scripts = 0;
    if shell {
        for (i, ins) in df.instructions.iter().enumerate() {
            if ins.kind == Kind::Run && matches!(ins.args, Args::Command(_)) {
                scripts += imglint::shell::scripts(text, ins, build.state(i)).len();
            }
        }
    }
    Model { build, scripts }
}

fn time(texts: &[String], shell: bool) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..7 {
        let start = Instant::now();
        let mut n = 0;
        for t in texts {
            let m = model(t, shell);
            n += m.build.stages.len() + m.scripts;
        }
        std::hint::black_box(n);
        best = best.min(start.elapsed());
    }
    best
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let files = if args.is_empty() {
        corpus()
    } else {
        args.into_iter().map(PathBuf::from).collect()
    };
    let texts: Vec<String> = files
        .iter()
        .filter_map(|p| std::fs::read(p).ok())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;
    println!("input: {} files, {:.2} MB", texts.len(), mb);

    let t = time(&texts, false);
    println!(
        "parse + stage graph:          {:7.1} ms  {:6.1} MB/s",
        t.as_secs_f64() * 1e3,
        mb / t.as_secs_f64()
    );
    let t = time(&texts, true);
    println!(
        "parse + graph + shell view:   {:7.1} ms  {:6.1} MB/s",
        t.as_secs_f64() * 1e3,
        mb / t.as_secs_f64()
    );

    // memory: every file's tree and model held at once
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let held: Vec<(syntax::Dockerfile, Build)> = texts
        .iter()
        .map(|t| {
            let df = syntax::parse(t);
            let b = Build::new(&df, &BuildOptions::default());
            (df, b)
        })
        .collect();
    let live = LIVE.load(Ordering::Relaxed) - before;
    let peak = PEAK.load(Ordering::Relaxed) - before;
    println!(
        "memory, all trees and models held: {:.1} MB ({:.1}x the input), peak {:.1} MB ({:.1}x)",
        live as f64 / 1e6,
        live as f64 / bytes as f64,
        peak as f64 / 1e6,
        peak as f64 / bytes as f64
    );
    drop(held);
    let before = LIVE.load(Ordering::Relaxed);
    let trees: Vec<syntax::Dockerfile> = texts.iter().map(|t| syntax::parse(t)).collect();
    let live = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "of which the syntax trees: {:.1} MB ({:.1}x)",
        live as f64 / 1e6,
        live as f64 / bytes as f64
    );
    drop(trees);
}
