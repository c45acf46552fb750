//! A secret in the config's environment.

use super::secrets::is_secret_variable;
use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};

pub const META: Meta = Meta {
    code: "IL7003",
    name: "secret-in-env",
    aliases: &["CIS-DI-0010"],
    severity: Severity::Error,
    category: Category::Security,
    summary: "An environment variable in the image config holds a secret",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/secret-in-env.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "pass secrets at run time (`docker run -e`, a secrets manager) or use `RUN --mount=type=secret` at build time";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (name, value) in &cx.config.env {
        if is_secret_variable(name, value) {
            out.push(
                Finding::new(
                    &META,
                    format!("`{name}` in the image environment looks like a secret"),
                )
                .config("Env"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> TestImage {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        TestImage::new().config(|c| c.env = pairs)
    }

    #[test]
    fn fires_on_secret_names_and_token_values() {
        let f = env(&[("DB_PASSWORD", "hunter2"), ("AWS", "AKIAIOSFODNN7EXAMPLE")]).run(check);
        assert_eq!(
            messages(&f),
            [
                "`DB_PASSWORD` in the image environment looks like a secret",
                "`AWS` in the image environment looks like a secret"
            ]
        );
    }

    #[test]
    fn quiet_on_ordinary_and_reference_variables() {
        let img = env(&[
            ("PATH", "/bin"),
            ("DB_PASSWORD_FILE", "/run/secrets/db"),
            ("API_TOKEN", ""),
        ]);
        assert!(img.run(check).is_empty());
    }
}
