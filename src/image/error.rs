//! What can go wrong while reading an image.

use std::io;
use std::path::PathBuf;

/// An image could not be read or is not trustworthy enough to analyse.
///
/// Every variant names the file, blob or entry it is about.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ImageError {
    #[error("cannot read `{path}`")]
    #[diagnostic(code("imglint::image::io"))]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    #[error("`{source_name}` is neither a readable path nor an image reference")]
    #[diagnostic(
        code("imglint::image::source-not-found"),
        help(
            "give an OCI layout directory, an OCI layout tar, a `docker save` tar, or a registry reference such as `registry.example.com/repo:tag`"
        )
    )]
    SourceNotFound { source_name: String },

    #[error("`{path}` is not a container image: {reason}")]
    #[diagnostic(
        code("imglint::image::unknown-format"),
        help(
            "expected an OCI image layout (`index.json`) or a `docker save` archive (`manifest.json`)"
        )
    )]
    UnknownFormat { path: PathBuf, reason: String },

    #[error("{what}: invalid JSON: {message}")]
    #[diagnostic(code("imglint::image::invalid-json"))]
    Json { what: String, message: String },

    #[error("{what} is larger than the {limit}-byte limit for metadata documents")]
    #[diagnostic(code("imglint::image::document-too-large"))]
    DocumentTooLarge { what: String, limit: u64 },

    #[error("{what} names `{name}`, which is not in the image")]
    #[diagnostic(
        code("imglint::image::missing-blob"),
        help("the image is incomplete; save or copy it again")
    )]
    MissingBlob { what: String, name: String },

    #[error("{what}: digest mismatch: expected `{expected}`, got `{actual}`")]
    #[diagnostic(
        code("imglint::image::digest-mismatch"),
        help("the blob is corrupt or was tampered with")
    )]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },

    #[error("{what}: size mismatch: descriptor says {expected} bytes, blob has {actual}")]
    #[diagnostic(
        code("imglint::image::size-mismatch"),
        help("the blob is truncated, corrupt or was tampered with")
    )]
    SizeMismatch {
        what: String,
        expected: u64,
        actual: u64,
    },

    #[error("{what}: {message}")]
    #[diagnostic(code("imglint::image::bad-layer"))]
    Layer { what: String, message: String },

    #[error(
        "{what}: decompresses to more than {limit}x its compressed size ({uncompressed} bytes from {compressed})"
    )]
    #[diagnostic(
        code("imglint::image::decompression-bomb"),
        help("the layer looks like a decompression bomb; raise the ratio limit if it is genuine")
    )]
    DecompressionBomb {
        what: String,
        limit: u64,
        compressed: u64,
        uncompressed: u64,
    },

    #[error("the image has more than {limit} filesystem entries (limit reached in {what})")]
    #[diagnostic(code("imglint::image::too-many-entries"))]
    TooManyEntries { what: String, limit: u64 },

    #[error("{what}: {message}")]
    #[diagnostic(code("imglint::image::invalid-image"))]
    Invalid { what: String, message: String },

    #[error("no image for platform `{wanted}` in {what}; available: {available}")]
    #[diagnostic(
        code("imglint::image::no-matching-platform"),
        help("choose one of the available platforms with `--platform`")
    )]
    NoMatchingPlatform {
        what: String,
        wanted: String,
        available: String,
    },

    #[error("`{value}` is not a platform")]
    #[diagnostic(
        code("imglint::image::invalid-platform"),
        help("write a platform as `os/arch` or `os/arch/variant`, e.g. `linux/arm64/v8`")
    )]
    InvalidPlatform { value: String },

    #[error("`{value}` is not an image reference: {message}")]
    #[diagnostic(code("imglint::image::invalid-reference"))]
    InvalidReference { value: String, message: String },

    #[error("registry request `{url}` failed: {message}")]
    #[diagnostic(code("imglint::image::registry"))]
    Registry { url: String, message: String },

    #[error("registry `{registry}` refused access to `{repository}`: {message}")]
    #[diagnostic(
        code("imglint::image::registry-auth"),
        help("log in with `docker login` so the credentials are in the Docker config file")
    )]
    RegistryAuth {
        registry: String,
        repository: String,
        message: String,
    },

    #[error("`{path}`: {message}")]
    #[diagnostic(code("imglint::image::dockerfile"))]
    Dockerfile { path: PathBuf, message: String },
}

impl ImageError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> Self {
        ImageError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(what: impl Into<String>, message: impl Into<String>) -> Self {
        ImageError::Invalid {
            what: what.into(),
            message: message.into(),
        }
    }

    pub(crate) fn json(what: impl Into<String>, err: &serde_json::Error) -> Self {
        ImageError::Json {
            what: what.into(),
            message: err.to_string(),
        }
    }
}
