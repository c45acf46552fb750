//! Knowledge about base images: what they are and what they contain.

pub mod facts;

pub use facts::{DefaultUser, Facts, Family, facts};
