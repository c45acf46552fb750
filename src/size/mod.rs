//! Knowledge about base images: what they are, what they contain and what
//! they weigh; and the estimate of what a Dockerfile's image will weigh.

pub mod facts;
pub mod table;

pub use facts::{DefaultUser, Facts, Family, facts};
pub use table::{Entry, Size, Table};
