//! imglint: a linter and optimizer for Dockerfiles and container images.
//!
//! The pipeline runs one way: [`syntax`] reads a Dockerfile into a lossless
//! tree, [`graph`] builds the stage graph and variable scopes, [`shell`]
//! parses `RUN` bodies into commands, [`rules`] find problems and
//! [`report`] prints them.

pub mod cli;
pub mod config;
pub mod fix;
pub mod graph;
pub mod image;
pub mod lint;
pub mod report;
pub mod rules;
pub mod shell;
pub mod size;
pub mod source;
pub mod suggest;
pub mod suppress;
pub mod syntax;
