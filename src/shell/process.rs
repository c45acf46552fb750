//! The program a container starts: `ENTRYPOINT` and `CMD` put together as
//! the runtime does, then followed through inits (`tini`, `dumb-init`), the
//! official images' `docker-entrypoint.sh`, wrappers (`exec`, `env`,
//! `gosu`) and `sh -c` scripts to the program that does the work.

use super::{Dialect, Script};
use crate::graph::Stage;
use crate::source::{Span, to_u32};
use crate::syntax::{Command, Instruction};

/// A word of the command line, with where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartWord {
    pub text: String,
    pub span: Span,
}

impl StartWord {
    /// The word's base name (`/usr/bin/node` gives `node`).
    pub fn base(&self) -> &str {
        self.text.rsplit('/').next().unwrap_or(&self.text)
    }
}

/// The program a container runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Started {
    /// The program and its arguments, after inits and wrappers.
    pub words: Vec<StartWord>,
    /// Variables set for the program on its command line (`X=1 prog`,
    /// `env X=1 prog`), as `NAME=value`.
    pub assignments: Vec<String>,
    /// The init in front of it (`tini`, `dumb-init`, `catatonit`).
    pub init: Option<StartWord>,
    /// A shell stays between PID 1 and the program (`sh -c "a && b"`).
    pub under_shell: bool,
    /// The instruction the program's name is written in.
    pub instruction: usize,
}

impl Started {
    /// The program's base name.
    pub fn program(&self) -> &str {
        self.words.first().map_or("", StartWord::base)
    }

    /// The arguments after the program.
    pub fn args(&self) -> &[StartWord] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// Whether the program is a development server or watcher: a package
    /// script named for development (`npm run dev`, `yarn start:dev`),
    /// `next dev`, `vite`, `ng serve`, `nodemon`, Django's `runserver`, a
    /// server started with `--reload`, `air`, `cargo watch`. An image that
    /// starts one is for development, whatever its stage is called.
    pub fn runs_dev_server(&self) -> bool {
        let mut program = self.program();
        let mut ops: Vec<&str> = self
            .args()
            .iter()
            .map(|w| w.text.as_str())
            .filter(|a| !a.starts_with('-'))
            .collect();
        // a package runner: the tool it runs
        if matches!(program, "npx" | "bunx" | "pnpx") && !ops.is_empty() {
            program = ops.remove(0);
        }
        let first = ops.first().copied().unwrap_or("");
        let second = ops.get(1).copied().unwrap_or("");
        let dev_script = |name: &str| {
            name.to_ascii_lowercase()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| matches!(w, "dev" | "develop" | "development" | "watch"))
        };
        let reload = self.args().iter().any(|w| w.text == "--reload");
        match program {
            "npm" | "bun" => matches!(first, "run" | "run-script") && dev_script(second),
            "yarn" | "pnpm" => {
                if first == "run" {
                    dev_script(second)
                } else {
                    dev_script(first)
                }
            }
            "next" | "nuxt" | "astro" | "remix" => first == "dev",
            "vite" => matches!(first, "" | "dev" | "serve"),
            "ng" => first == "serve",
            "nodemon" | "ts-node-dev" | "air" | "reflex" => true,
            "cargo" => first == "watch",
            "uvicorn" | "gunicorn" | "hypercorn" => reload,
            p if p.starts_with("python") => first.ends_with("manage.py") && second == "runserver",
            _ => false,
        }
    }

    /// Whether the program is an application rather than a shell or the
    /// base image's default: it names a binary, an interpreter with a
    /// script, or a script.
    pub fn runs_application(&self) -> bool {
        !matches!(
            self.program(),
            "" | "sh"
                | "bash"
                | "ash"
                | "dash"
                | "zsh"
                | "fish"
                | "busybox"
                | "true"
                | "sleep"
                | "tail"
        )
    }
}

/// The script of a shell-form `CMD`, `ENTRYPOINT`, `RUN` or `HEALTHCHECK
/// CMD`, parsed with spans into the file.
pub fn instruction_script(ins: &Instruction, dialect: Dialect) -> Option<Script> {
    let Some(Command::Shell { logical, .. }) = ins.command() else {
        return None;
    };
    let (lo, hi) = (logical.0 as usize, logical.1 as usize);
    let body = ins.logical.text.get(lo..hi)?;
    let map: Vec<(u32, u32)> = ins
        .logical
        .pieces()
        .filter_map(|(l, s, len)| {
            let (a, b) = (l.max(lo), (l + len).min(hi));
            (a < b).then(|| (to_u32(a - lo), to_u32(s + (a - l))))
        })
        .collect();
    let span = ins.logical.span(lo, hi);
    Some(Script::from_text(body.to_string(), map, span, dialect))
}

/// The program stage `stage`'s image starts, from the `ENTRYPOINT` and
/// `CMD` in force at its end. `None` when neither is set in the file (the
/// base image's own applies) or the command is empty.
pub fn started(instructions: &[Instruction], stage: &Stage) -> Option<Started> {
    let ep = stage.config.entrypoint;
    let cmd = stage.config.cmd;
    let first = ep.or(cmd)?;
    let ins = instructions.get(first)?;
    match ins.command()? {
        Command::Exec { args, .. } => {
            let mut words: Vec<StartWord> = args
                .iter()
                .map(|a| StartWord {
                    text: a.text.clone(),
                    span: a.span,
                })
                .collect();
            // an exec-form ENTRYPOINT gets CMD as arguments: an exec-form
            // CMD word for word, a shell-form one as `/bin/sh -c <text>`
            let mut then = None;
            if ep.is_some()
                && let Some(c) = cmd.and_then(|c| instructions.get(c))
            {
                match c.command() {
                    Some(Command::Exec { args, .. }) => {
                        words.extend(args.iter().map(|a| StartWord {
                            text: a.text.clone(),
                            span: a.span,
                        }));
                    }
                    Some(Command::Shell { .. }) => {
                        then = instruction_script(c, Dialect::Sh).zip(cmd);
                    }
                    _ => {}
                }
            }
            follow_words(words, Vec::new(), None, first, then.as_ref())
        }
        Command::Shell { .. } => {
            let script = instruction_script(ins, Dialect::Sh)?;
            follow_script(&script, None, first)
        }
        Command::Empty => None,
    }
}

fn is_init(w: &StartWord) -> bool {
    matches!(
        w.base(),
        "tini" | "tini-static" | "dumb-init" | "catatonit" | "s6-svscan"
    ) || w.text == "/init"
}

/// Skips a leading option list; `with_value` options take the next word.
fn skip_options(words: &[StartWord], with_value: &[&str]) -> usize {
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            return i + 1;
        }
        if !t.starts_with('-') || t == "-" {
            break;
        }
        i += if with_value.contains(&t) { 2 } else { 1 };
    }
    i
}

fn follow_words(
    mut words: Vec<StartWord>,
    mut assignments: Vec<String>,
    mut init: Option<StartWord>,
    instruction: usize,
    then: Option<&(Script, usize)>,
) -> Option<Started> {
    for _ in 0..16 {
        let first = words.first()?.clone();
        let rest = &words[1..];
        let consumed = if is_init(&first) {
            init.get_or_insert(first.clone());
            1 + skip_options(rest, &["-p", "-e", "-r", "--rewrite"])
        } else {
            match first.base() {
                "docker-entrypoint.sh" | "docker-entrypoint"
                    if !rest.is_empty() || then.is_some() =>
                {
                    1
                }
                "exec" | "nohup" | "command" => 1 + skip_options(rest, &["-a"]),
                "nice" => 1 + skip_options(rest, &["-n"]),
                "gosu" | "su-exec" | "s6-setuidgid" => 2,
                "env" => {
                    let mut i = 1 + skip_options(rest, &["-u", "-C", "-S"]);
                    while let Some(w) = words.get(i)
                        && w.text.contains('=')
                        && !w.text.starts_with('=')
                    {
                        assignments.push(w.text.clone());
                        i += 1;
                    }
                    i
                }
                "sh" | "bash" | "ash" | "dash" | "zsh" => {
                    // `sh -c 'script'` (also `-ec`, `-xc`)
                    let c = rest.iter().position(|w| {
                        w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('c')
                    });
                    let Some(c) = c else { break };
                    let Some(script_word) = rest.get(c + 1) else {
                        break;
                    };
                    let inner = Span::new(
                        script_word.span.start + 1,
                        script_word.span.end.saturating_sub(1),
                    );
                    let exact = inner.len() == script_word.text.len();
                    let map = vec![(
                        0,
                        if exact {
                            inner.start
                        } else {
                            script_word.span.start
                        },
                    )];
                    let script = Script::from_text(
                        script_word.text.clone(),
                        map,
                        script_word.span,
                        Dialect::Sh,
                    );
                    if !exact {
                        // escapes inside the JSON string: keep the word's span
                        let mut s = follow_script(&script, init, instruction)?;
                        for w in &mut s.words {
                            w.span = script_word.span;
                        }
                        return Some(s);
                    }
                    return follow_script(&script, init, instruction);
                }
                _ => break,
            }
        };
        if consumed >= words.len() {
            // the words run what follows: a shell-form CMD
            let (script, at) = then?;
            return follow_script(script, init, *at);
        }
        words.drain(..consumed);
    }
    Some(Started {
        words,
        assignments,
        init,
        under_shell: false,
        instruction,
    })
}

/// The program a script ends by running: its last command at top level.
fn follow_script(script: &Script, init: Option<StartWord>, instruction: usize) -> Option<Started> {
    if script.error.is_some() {
        return None;
    }
    let top: Vec<&super::SimpleCommand> = script
        .commands
        .iter()
        .filter(|c| {
            !c.context.substitution
                && !c.context.background
                && !c.context.in_function
                && !c.context.condition
        })
        .collect();
    let last = *top.last()?;
    let name = last.name.as_ref()?;
    let words: Vec<StartWord> = std::iter::once(name)
        .chain(last.args.iter())
        .map(|w| StartWord {
            text: w.value.clone(),
            span: w.span,
        })
        .collect();
    let assignments: Vec<String> = last.assignments.iter().map(|a| a.value.clone()).collect();
    let replaced = name.value == "exec";
    let mut s = follow_words(words, assignments, init, instruction, None)?;
    s.under_shell = !replaced && (script.commands.len() > 1 || script.has_pipe());
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{Build, BuildOptions};
    use crate::syntax::parse;

    fn start(text: &str) -> Option<(String, Vec<String>, Option<String>, bool)> {
        let df = parse(text);
        let b = Build::new(&df, &BuildOptions::default());
        let t = b.target_stage()?;
        let s = started(&df.instructions, t)?;
        Some((
            s.program().to_string(),
            s.args().iter().map(|w| w.text.clone()).collect(),
            s.init.map(|w| w.text),
            s.under_shell,
        ))
    }

    #[test]
    fn exec_form_with_inits_and_wrappers() {
        assert_eq!(
            start("FROM node:22\nCMD [\"npm\", \"start\"]\n"),
            Some(("npm".into(), vec!["start".into()], None, false))
        );
        assert_eq!(
            start("FROM node:22\nENTRYPOINT [\"/sbin/tini\", \"--\"]\nCMD [\"node\", \"s.js\"]\n"),
            Some((
                "node".into(),
                vec!["s.js".into()],
                Some("/sbin/tini".into()),
                false
            ))
        );
        assert_eq!(
            start(
                "FROM node:22\nENTRYPOINT [\"dumb-init\", \"--rewrite\", \"15:2\", \"docker-entrypoint.sh\"]\nCMD [\"node\", \"s.js\"]\n"
            )
            .map(|s| s.0),
            Some("node".into())
        );
        assert_eq!(
            start("FROM x\nCMD [\"gosu\", \"app\", \"env\", \"A=1\", \"yarn\", \"serve\"]\n")
                .map(|s| s.0),
            Some("yarn".into())
        );
        // a custom entrypoint script: its contents are unknown
        assert_eq!(
            start("FROM x\nENTRYPOINT [\"/entrypoint.sh\"]\nCMD [\"npm\", \"start\"]\n")
                .map(|s| s.0),
            Some("entrypoint.sh".into())
        );
    }

    #[test]
    fn shell_form_and_sh_c() {
        assert_eq!(
            start("FROM x\nCMD npm run migrate && npm start\n"),
            Some(("npm".into(), vec!["start".into()], None, true))
        );
        assert_eq!(
            start("FROM x\nCMD [\"sh\", \"-c\", \"cd /app && exec node server.js\"]\n"),
            Some(("node".into(), vec!["server.js".into()], None, false))
        );
        assert_eq!(
            start("FROM x\nCMD exec uv run app.py\n").map(|s| (s.0, s.3)),
            Some(("uv".into(), false))
        );
        assert_eq!(start("FROM x\nRUN true\n"), None);
    }

    #[test]
    fn spans_point_into_the_file() {
        let text = "FROM x\nCMD [\"sh\", \"-c\", \"npm start\"]\n";
        let df = parse(text);
        let b = Build::new(&df, &BuildOptions::default());
        let s = started(&df.instructions, b.target_stage().unwrap()).unwrap();
        assert_eq!(s.words[0].span.text(text), "npm");
        let text = "FROM x\nCMD npm \\\n  start\n";
        let df = parse(text);
        let b = Build::new(&df, &BuildOptions::default());
        let s = started(&df.instructions, b.target_stage().unwrap()).unwrap();
        assert_eq!(s.words[1].span.text(text), "start");
    }

    #[test]
    fn development_servers() {
        let dev = |cmd: &str| {
            let df = parse(&format!("FROM node:22\nCMD {cmd}\n"));
            let b = Build::new(&df, &BuildOptions::default());
            started(&df.instructions, b.target_stage().unwrap())
                .is_some_and(|s| s.runs_dev_server())
        };
        for cmd in [
            r#"["npm", "run", "dev"]"#,
            r#"["yarn", "start:dev"]"#,
            r#"["pnpm", "run", "watch"]"#,
            "npx next dev",
            r#"["vite", "--host"]"#,
            "ng serve --host 0.0.0.0",
            r#"["nodemon", "src/index.js"]"#,
            "python manage.py runserver 0.0.0.0:8000",
            "uvicorn app:app --host 0.0.0.0 --reload",
            "air -c .air.toml",
            "cargo watch -x run",
        ] {
            assert!(dev(cmd), "{cmd}");
        }
        for cmd in [
            r#"["npm", "start"]"#,
            r#"["npm", "run", "build"]"#,
            r#"["yarn", "serve"]"#,
            r#"["node", "dev-server.js"]"#,
            "next start",
            "vite build",
            "uvicorn app:app --host 0.0.0.0",
            "python manage.py migrate",
            "gunicorn -w 4 app:app",
            "cargo run --release",
        ] {
            assert!(!dev(cmd), "{cmd}");
        }
    }
}
