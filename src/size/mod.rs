//! Knowledge about base images: what they are, what they contain and what
//! they weigh; and the estimate of what a Dockerfile's image will weigh.

pub mod context;
pub mod estimate;
pub mod facts;
pub mod refresh;
pub mod report;
pub mod system;
pub mod table;

pub use estimate::{Estimate, Options, Program, estimate, render_bytes};
pub use facts::{DefaultUser, Facts, Family, facts};
pub use table::{Entry, Size, Table};
