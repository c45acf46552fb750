//! What looks like a secret: variable names and well-known token shapes.

use std::sync::LazyLock;

use regex::Regex;

static SECRET_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(passw(or)?d|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?)",
    )
    .unwrap_or_else(|_| unreachable!("valid pattern"))
});

/// Names that mention a secret but hold a reference to one.
static REFERENCE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(_FILE|_PATH|_DIR|_URL|_URI|_ENDPOINT|_HOST|_PORT|_LENGTH|_TTL|_ID)$")
        .unwrap_or_else(|_| unreachable!("valid pattern"))
});

static SECRET_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(AKIA[0-9A-Z]{16})",
        r"|(gh[pousr]_[A-Za-z0-9]{36})",
        r"|(github_pat_[A-Za-z0-9_]{40,})",
        r"|(glpat-[A-Za-z0-9_-]{20})",
        r"|(xox[abpr]-[A-Za-z0-9-]{10,})",
        r"|(-----BEGIN [A-Z ]*PRIVATE KEY-----)",
        r"|(sk_live_[A-Za-z0-9]{16,})",
    ))
    .unwrap_or_else(|_| unreachable!("valid pattern"))
});

static URL_CREDENTIALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@$]+@")
        .unwrap_or_else(|_| unreachable!("valid pattern"))
});

static PASSWORD_FLAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)--(password|passwd|token|api-key|secret)(=|\s+)([^\s-][^\s]*)")
        .unwrap_or_else(|_| unreachable!("valid pattern"))
});

/// Does a variable with this name and value look like it holds a secret?
pub fn is_secret_variable(name: &str, value: &str) -> bool {
    let value = value.trim().trim_matches('"').trim_matches('\'');
    if value.is_empty() || value.starts_with('$') {
        return false;
    }
    (SECRET_NAME.is_match(name) && !REFERENCE_SUFFIX.is_match(name)) || SECRET_VALUE.is_match(value)
}

/// A short description of a secret-looking fragment in free text.
pub fn find_secret_in_text(text: &str) -> Option<&'static str> {
    if SECRET_VALUE.is_match(text) {
        Some("a token or private key")
    } else if URL_CREDENTIALS.is_match(text) {
        Some("credentials in a URL")
    } else if PASSWORD_FLAG
        .captures(text)
        .and_then(|c| c.get(3))
        .is_some_and(|v| !v.as_str().starts_with('$') && v.as_str() != "stdin")
    {
        Some("a password or token passed as an option")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_variables() {
        assert!(is_secret_variable("DB_PASSWORD", "hunter2"));
        assert!(is_secret_variable("GITHUB_TOKEN", "abc"));
        assert!(is_secret_variable("X", "AKIAIOSFODNN7EXAMPLE"));
        assert!(!is_secret_variable("DB_PASSWORD", ""));
        assert!(!is_secret_variable("DB_PASSWORD_FILE", "/run/secrets/db"));
        assert!(!is_secret_variable("PATH", "/usr/bin"));
        assert!(!is_secret_variable(
            "GPG_KEY",
            "A035C8C19219BA821ECEA86B64E628F8D684696D"
        ));
        assert!(!is_secret_variable("TOKEN", "$TOKEN"));
    }

    #[test]
    fn secrets_in_text() {
        assert!(find_secret_in_text("curl https://u:p4ss@example.com/x").is_some());
        assert!(find_secret_in_text("login --password=s3cret").is_some());
        assert!(find_secret_in_text("login --password-stdin").is_none());
        assert!(find_secret_in_text("login --password $PW").is_none());
        assert!(find_secret_in_text("apt-get install -y curl").is_none());
        assert!(find_secret_in_text("echo ghp_abcdefghijklmnopqrstuvwxyz0123456789").is_some());
    }
}
