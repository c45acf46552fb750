//! Image checks: each file is one check with its metadata (the rule
//! engine's [`Meta`], target [`Target::Image`]), its help text and a
//! function that reads the image config, the merged filesystem and the
//! layers, and pushes plain-data findings.

use super::config::ImageConfig;
use super::fs::{Merge, MergedFs, Node};
use super::layer::LayerScan;

pub mod accounts;
pub mod add_in_history;
pub mod credential_file;
pub mod duplicate_account_id;
pub mod empty_password;
pub mod file_readded_unchanged;
pub mod image_lacks_ca_certificates;
pub mod missing_healthcheck;
pub mod package_cache;
pub mod root_user;
pub mod secret_in_env;
pub mod secret_in_history;
pub mod secrets;
pub mod sensitive_volume;
pub mod setuid_file;
pub mod shell_form_without_shell;
pub mod sudo_in_history;
pub mod unnecessary_file;
pub mod unsafe_layer_entry;
pub mod world_writable_file;

#[cfg(test)]
pub(crate) mod testing;

pub use crate::rules::{Category, FixAvailability, Meta, Severity, Target};

pub use crate::rules::Subject;

/// A problem a check found in an image; [`crate::image::analyze`] turns it
/// into the rule engine's [`crate::rules::Finding`].
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static Meta,
    pub message: String,
    pub help: String,
    pub subject: Subject,
}

impl Finding {
    pub fn new(meta: &'static Meta, message: impl Into<String>) -> Finding {
        let help = ALL
            .iter()
            .find(|c| c.meta.code == meta.code)
            .map_or("", |c| c.help);
        Finding {
            rule: meta,
            message: message.into(),
            help: help.to_string(),
            subject: Subject::default(),
        }
    }

    pub fn layer(mut self, layer: usize) -> Self {
        self.subject.layer = Some(layer);
        self
    }

    pub fn path(mut self, path: &str) -> Self {
        self.subject.path = Some(format!("/{}", path.trim_start_matches('/')));
        self
    }

    pub fn history(mut self, index: usize) -> Self {
        self.subject.history = Some(index);
        self
    }

    pub fn config(mut self, field: &'static str) -> Self {
        self.subject.config = Some(field);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }
}

/// Everything a check may read.
pub struct Context<'a> {
    pub config: &'a ImageConfig,
    pub fs: &'a MergedFs,
    pub layers: &'a [LayerScan],
    pub merge: &'a Merge,
    /// History index of each layer, when the history lines up.
    pub layer_history: &'a [Option<usize>],
}

impl Context<'_> {
    /// Content of a captured file (`/etc/passwd`, …) as the image shows it.
    pub fn file_content(&self, path: &str) -> Option<&[u8]> {
        let (resolved, node) = self.fs.resolve(path)?;
        self.captured(&resolved, node)
    }

    fn captured(&self, path: &str, node: &Node) -> Option<&[u8]> {
        let layer = self.layers.get(node.layer)?;
        layer
            .captured
            .iter()
            .rev()
            .find(|(p, _)| p == path)
            .map(|(_, c)| c.as_slice())
    }

    /// The layer created by history entry `h`.
    pub fn layer_of_history(&self, h: usize) -> Option<usize> {
        self.layer_history.iter().position(|x| *x == Some(h))
    }
}

/// A registered check.
pub struct Check {
    pub meta: &'static Meta,
    /// What to do about a finding, in the imperative.
    pub help: &'static str,
    pub run: fn(&Context<'_>, &mut Vec<Finding>),
}

/// All image checks, in code order.
pub const ALL: &[Check] = &[
    Check {
        meta: &root_user::META,
        help: root_user::HELP,
        run: root_user::check,
    },
    Check {
        meta: &missing_healthcheck::META,
        help: missing_healthcheck::HELP,
        run: missing_healthcheck::check,
    },
    Check {
        meta: &secret_in_env::META,
        help: secret_in_env::HELP,
        run: secret_in_env::check,
    },
    Check {
        meta: &secret_in_history::META,
        help: secret_in_history::HELP,
        run: secret_in_history::check,
    },
    Check {
        meta: &credential_file::META,
        help: credential_file::HELP,
        run: credential_file::check,
    },
    Check {
        meta: &setuid_file::META,
        help: setuid_file::HELP,
        run: setuid_file::check,
    },
    Check {
        meta: &world_writable_file::META,
        help: world_writable_file::HELP,
        run: world_writable_file::check,
    },
    Check {
        meta: &duplicate_account_id::META,
        help: duplicate_account_id::HELP,
        run: duplicate_account_id::check,
    },
    Check {
        meta: &empty_password::META,
        help: empty_password::HELP,
        run: empty_password::check,
    },
    Check {
        meta: &unnecessary_file::META,
        help: unnecessary_file::HELP,
        run: unnecessary_file::check,
    },
    Check {
        meta: &package_cache::META,
        help: package_cache::HELP,
        run: package_cache::check,
    },
    Check {
        meta: &sensitive_volume::META,
        help: sensitive_volume::HELP,
        run: sensitive_volume::check,
    },
    Check {
        meta: &add_in_history::META,
        help: add_in_history::HELP,
        run: add_in_history::check,
    },
    Check {
        meta: &sudo_in_history::META,
        help: sudo_in_history::HELP,
        run: sudo_in_history::check,
    },
    Check {
        meta: &image_lacks_ca_certificates::META,
        help: image_lacks_ca_certificates::HELP,
        run: image_lacks_ca_certificates::check,
    },
    Check {
        meta: &shell_form_without_shell::META,
        help: shell_form_without_shell::HELP,
        run: shell_form_without_shell::check,
    },
    Check {
        meta: &unsafe_layer_entry::META,
        help: unsafe_layer_entry::HELP,
        run: unsafe_layer_entry::check,
    },
    Check {
        meta: &file_readded_unchanged::META,
        help: file_readded_unchanged::HELP,
        run: file_readded_unchanged::check,
    },
];

/// Finds a check by code, name or alias.
pub fn lookup(key: &str) -> Option<&'static Check> {
    ALL.iter().find(|c| {
        c.meta.code.eq_ignore_ascii_case(key)
            || c.meta.name == key
            || c.meta.aliases.iter().any(|a| a.eq_ignore_ascii_case(key))
    })
}

/// Runs the checks `enabled` accepts; findings sorted by code, layer and
/// path.
pub fn run_all(cx: &Context<'_>, enabled: impl Fn(&Meta) -> bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for check in ALL.iter().filter(|c| enabled(c.meta)) {
        (check.run)(cx, &mut out);
    }
    out.sort_by(|a, b| {
        (a.rule.code, a.subject.layer, &a.subject.path).cmp(&(
            b.rule.code,
            b.subject.layer,
            &b.subject.path,
        ))
    });
    out
}

/// Human-readable byte count.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS.get(unit).copied().unwrap_or("B"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_consistent() {
        let mut codes = std::collections::HashSet::new();
        for c in ALL {
            let m = c.meta;
            assert!(codes.insert(m.code), "duplicate code {}", m.code);
            assert!(m.code.starts_with("IL7") && m.code.len() == 6, "{}", m.code);
            assert!(
                m.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                m.name
            );
            for prefix in ["no-", "avoid-", "prefer-"] {
                assert!(!m.name.starts_with(prefix), "{}", m.name);
            }
            let title = format!("# {} ({})", m.name, m.code);
            assert!(m.doc.starts_with(&title), "{} page title", m.name);
            for section in ["## What it does", "## Why is this bad?", "## Example"] {
                assert!(m.doc.contains(section), "{} lacks {section}", m.name);
            }
            assert!(!m.summary.ends_with('.'), "{}", m.name);
            assert!(
                m.summary.starts_with(|c: char| c.is_uppercase()),
                "{}",
                m.name
            );
            assert_eq!(m.target, Target::Image);
            assert!(!c.help.is_empty() && !c.help.ends_with('.'), "{}", m.name);
            assert!(lookup(m.code).is_some() && lookup(m.name).is_some());
        }
        assert!(lookup("CIS-DI-0001").is_some_and(|c| c.meta.name == "root-user"));
    }

    #[test]
    fn human_bytes_rounds() {
        assert_eq!(human_bytes(27), "27 B");
        assert_eq!(human_bytes(1_633_354), "1.6 MB");
    }
}
