//! Reading a command's options and operands: `-y`, `-qy`, `--yes`,
//! `--opt=value`, `--opt value`, and the positional words.

use super::{ShellWord, SimpleCommand};

/// A command's arguments, after wrappers like `sudo` are removed.
#[derive(Clone, Copy, Debug)]
pub struct Args<'a> {
    pub name: &'a ShellWord,
    pub words: &'a [ShellWord],
}

impl<'a> Args<'a> {
    /// The arguments of the program `cmd` runs, if it has a name.
    pub fn of(cmd: &'a SimpleCommand) -> Option<Args<'a>> {
        let (name, words) = cmd.unwrapped();
        Some(Args { name: name?, words })
    }

    /// The program's base name.
    pub fn program(&self) -> &'a str {
        self.name
            .value
            .rsplit('/')
            .next()
            .unwrap_or(&self.name.value)
    }

    /// Whether a flag is given: a short letter (also inside a cluster like
    /// `-qy`) or a long name (also as `--name=value`).
    pub fn has(&self, short: &[char], long: &[&str]) -> bool {
        self.find(short, long).is_some()
    }

    /// The word that holds a flag.
    pub fn find(&self, short: &[char], long: &[&str]) -> Option<&'a ShellWord> {
        for w in self.words {
            let v = w.value.as_str();
            if v == "--" {
                break;
            }
            if let Some(l) = v.strip_prefix("--") {
                let name = l.split('=').next().unwrap_or(l);
                if long.contains(&name) {
                    return Some(w);
                }
            } else if let Some(s) = v.strip_prefix('-')
                && !s.is_empty()
                && s.chars().all(|c| c.is_ascii_alphanumeric())
                && s.chars().any(|c| short.contains(&c))
            {
                return Some(w);
            }
        }
        None
    }

    /// The value of an option: `--name=value`, `--name value`, `-x value`
    /// or `-xvalue`.
    pub fn value(&self, short: &[char], long: &[&str]) -> Option<&'a str> {
        let mut it = self.words.iter().peekable();
        while let Some(w) = it.next() {
            let v = w.value.as_str();
            if v == "--" {
                break;
            }
            if let Some(l) = v.strip_prefix("--") {
                match l.split_once('=') {
                    Some((n, val)) if long.contains(&n) => return Some(val),
                    None if long.contains(&l) => return it.peek().map(|n| n.value.as_str()),
                    _ => {}
                }
            } else if let Some(s) = v.strip_prefix('-') {
                let mut chars = s.chars();
                if let Some(c) = chars.next()
                    && short.contains(&c)
                {
                    let rest = chars.as_str();
                    return if rest.is_empty() {
                        it.peek().map(|n| n.value.as_str())
                    } else {
                        Some(rest.trim_start_matches('='))
                    };
                }
            }
        }
        None
    }

    /// The operands: words that are not options, skipping the values of the
    /// options listed in `with_value` (`-t`, `--target-release` …).
    pub fn operands(&self, with_value: &[&str]) -> Vec<&'a ShellWord> {
        let mut out = Vec::new();
        let mut skip = false;
        let mut after_dashes = false;
        for w in self.words {
            let v = w.value.as_str();
            if skip {
                skip = false;
                continue;
            }
            if after_dashes {
                out.push(w);
                continue;
            }
            if v == "--" {
                after_dashes = true;
                continue;
            }
            if v.starts_with('-') && v.len() > 1 {
                if with_value.contains(&v) {
                    skip = true;
                }
                continue;
            }
            out.push(w);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::{Dialect, Script};
    use crate::source::Span;

    fn script(t: &str) -> Script {
        Script::from_text(
            t.into(),
            vec![(0, 0)],
            Span::new(0, t.len() as u32),
            Dialect::Sh,
        )
    }

    #[test]
    fn flags_values_and_operands() {
        let s = script(
            "sudo apt-get -qy -o Dpkg::Options::=--force-confold install -t buster-backports --no-install-recommends curl git=1:2.39",
        );
        let a = Args::of(&s.commands[0]).unwrap();
        assert_eq!(a.program(), "apt-get");
        assert!(a.has(&['y'], &["yes"]));
        assert!(a.has(&[], &["no-install-recommends"]));
        assert!(!a.has(&['f'], &["fix-broken"]));
        assert_eq!(
            a.value(&['t'], &["target-release"]),
            Some("buster-backports")
        );
        let ops: Vec<_> = a
            .operands(&["-o", "-t", "-c"])
            .iter()
            .map(|w| w.value.as_str())
            .collect();
        assert_eq!(ops, ["install", "curl", "git=1:2.39"]);
    }
}
