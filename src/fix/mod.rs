//! Fixes: edits to the Dockerfile text, how safe they are, and applying
//! them.

mod apply;

pub use apply::{FixOutcome, apply_fixes, unified_diff, write_atomically};

use crate::source::Span;
use serde::Serialize;

/// How safe a fix is.
///
/// *Safe*: the built image (filesystem, config) and the user's comments stay
/// the same. *Unsafe*: they may change. *Display-only*: shown, never applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    DisplayOnly,
    Unsafe,
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replace the text of `span` with `content` (empty: delete; empty span:
/// insert).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn replace(span: Span, content: impl Into<String>) -> Edit {
        Edit {
            span,
            content: content.into(),
        }
    }

    pub fn insert(at: u32, content: impl Into<String>) -> Edit {
        Edit::replace(Span::empty(at), content)
    }

    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, "")
    }
}

/// A set of edits applied together, all or nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, in the imperative ("add `-y`").
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(applicability: Applicability, title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        let mut edits = edits;
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        Fix {
            title: title.into(),
            applicability,
            edits,
        }
    }

    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Safe, title, edits)
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Unsafe, title, edits)
    }

    pub fn display_only(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::DisplayOnly, title, edits)
    }
}
