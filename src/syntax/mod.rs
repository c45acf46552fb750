//! Dockerfile text to a lossless tree, with BuildKit's semantics.
//!
//! [`parse`] never fails: what BuildKit's parser would reject is listed in
//! [`Dockerfile::errors`] and everything readable is still in the tree.

pub mod dump;
mod instruction;
pub mod json;
pub mod lex;
mod mount;
mod scan;
mod tree;

pub use mount::{Mount, MountKind, MountOption};
pub use scan::parse;
pub use tree::*;
