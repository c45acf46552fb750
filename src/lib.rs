//! imglint: a linter and optimizer for Dockerfiles and container images.
//!
//! The pipeline runs one way: [`syntax`] reads a Dockerfile into a lossless
//! tree, [`graph`] builds the stage graph and variable scopes, [`shell`]
//! parses `RUN` bodies into commands, [`rules`] find problems and
//! [`report`] prints them.

pub mod image;
pub mod source;
pub mod syntax;
