//! The build model and shell view over the real-world corpus: every file
//! parses, builds a stage graph and a shell view without panicking, and
//! every shell word's span points at that word in the Dockerfile.

use imglint::graph::{Build, BuildOptions};
use imglint::shell::{self, Dialect};
use imglint::syntax::parse;

mod support;

#[test]
fn every_corpus_file_builds_a_model_with_exact_word_spans() {
    let Some(files) = support::corpus_files() else {
        return;
    };
    let mut scripts = 0;
    let mut failed = Vec::new();
    let mut words = 0;
    let mut mismatched = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let df = parse(&text);
        let build = Build::new(&df, &BuildOptions::default());
        for (i, ins) in df.instructions.iter().enumerate() {
            for script in shell::scripts(&text, ins, build.state(i)) {
                if !matches!(script.dialect, Some(Dialect::Sh | Dialect::Bash)) {
                    continue;
                }
                scripts += 1;
                if let Some(e) = &script.error {
                    failed.push(format!("{}:{}: {e}", path.display(), ins.start_line));
                }
                for cmd in &script.commands {
                    for w in cmd.name.iter().chain(&cmd.args) {
                        words += 1;
                        let src = w.span.text(&text);
                        if src.len() == w.raw.len() && src != w.raw {
                            mismatched.push(format!(
                                "{}:{}: {:?} at {} is {:?}",
                                path.display(),
                                ins.start_line,
                                w.raw,
                                w.span,
                                src
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "{} files, {scripts} shell scripts, {} unparsable, {words} words",
        files.len(),
        failed.len()
    );
    assert!(
        mismatched.is_empty(),
        "{} words point at the wrong text:\n{}",
        mismatched.len(),
        mismatched
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        failed.len() <= scripts / 200 && std::env::var("SHOW_FAILED").is_err(),
        "too many scripts fail to parse:\n{}",
        failed.join("\n")
    );
}
