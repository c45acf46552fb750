use crate::rules::*;
use crate::source::Span;
use crate::syntax::{Args, Instruction, Kind};

/// DL3064
pub struct SecretInArgOrEnv;

const META: Meta = Meta {
    code: "DL3064",
    name: "secret-in-arg-or-env",
    aliases: &[
        "SecretsUsedInArgOrEnv",
        "DS-0031",
        "DS031",
        "docker-do-not-pass-secrets",
    ],
    severity: Severity::Warning,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "An `ARG` or `ENV` name suggests it holds a secret",
    doc: include_str!("../../../rules/secret-in-arg-or-env.md"),
    target: Target::Dockerfile,
};

/// Well-known credential variable names.
const KNOWN: &[&str] = &[
    "ACCESS_TOKEN",
    "APPLICATION_KEY",
    "APP_SECRET",
    "AUTH_TOKEN",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AZURE_CLIENT_SECRET",
    "BITTREX_API_KEY",
    "BITTREX_API_SECRET",
    "CF_PASSWORD",
    "CF_USERNAME",
    "CIRCLE_TOKEN",
    "CI_DEPLOY_PASSWORD",
    "CI_DEPLOY_USER",
    "DOCKERHUB_PASSWORD",
    "DOCKER_PASSWORD",
    "DOCKER_USERNAME",
    "FACEBOOK_ACCESS_TOKEN",
    "FACEBOOK_APP_SECRET",
    "FIREBASE_API_TOKEN",
    "FIREBASE_TOKEN",
    "FOSSA_API_KEY",
    "GH_ENTERPRISE_TOKEN",
    "GH_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITHUB_TOKEN",
    "GITLAB_TOKEN",
    "HEROKU_API_KEY",
    "HEROKU_API_USER",
    "NPM_AUTH_TOKEN",
    "NPM_TOKEN",
    "OKTA_CLIENT_TOKEN",
    "OKTA_OAUTH2_CLIENTSECRET",
    "OPENAI_API_KEY",
    "OS_PASSWORD",
    "OS_USERNAME",
    "POSTGRES_PASSWORD",
    "SLACK_TOKEN",
    "STRIPE_API_KEY",
    "VAULT_CLIENT_KEY",
    "VAULT_TOKEN",
    "ANTHROPIC_API_KEY",
    "GOOGLE_API_KEY",
    "SENTRY_AUTH_TOKEN",
    "PYPI_TOKEN",
    "CODECOV_TOKEN",
    "SONAR_TOKEN",
    "MYSQL_ROOT_PASSWORD",
    "MYSQL_PASSWORD",
    "REDIS_PASSWORD",
];

/// Parts of names that mean a secret.
const SUSPICIOUS: &[&str] = &[
    "api_key",
    "apikey",
    "client_key",
    "password",
    "passwd",
    "private_key",
    "secret",
    "token",
    "credential",
];

/// Parts of names that mean something else: a file holding the secret (the
/// recommended way to pass one), a public key, a version, a path.
const BENIGN: &[&str] = &[
    "_file",
    "file_",
    "public",
    "version",
    "_path",
    "path_",
    "_dir",
    "_url",
    "_uri",
    "_name",
    "_length",
    "_len",
    "_size",
    "_ttl",
    "_expir",
    "_type",
    "_mode",
    "_policy",
    "_endpoint",
    "_header",
    "_prefix",
    "_enabled",
    "_required",
    "_algorithm",
    "_id_file",
    "no_",
];

/// Whether a variable name looks like it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if BENIGN.iter().any(|b| lower.contains(b)) {
        return false;
    }
    KNOWN.iter().any(|k| k.eq_ignore_ascii_case(name))
        || SUSPICIOUS.iter().any(|s| lower.contains(s))
}

impl Rule for SecretInArgOrEnv {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Arg, Kind::Env]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let keys: Vec<(String, Span)> = match &ins.args {
            Args::Arg(decls) => decls
                .iter()
                .map(|d| (d.name.text.clone(), d.name.span))
                .collect(),
            Args::Pairs(pairs) => pairs
                .iter()
                .map(|p| (p.key.text.clone(), p.key.span))
                .collect(),
            _ => return,
        };
        let secret: Vec<&(String, Span)> = keys.iter().filter(|(k, _)| is_secret_name(k)).collect();
        let Some((first, span)) = secret.first() else {
            return;
        };
        let kw = ins.kind.name();
        let mut r = cx
            .report(
                *span,
                format!(
                    "`{first}` looks like a secret, and `{kw}` values stay in the image history"
                ),
            )
            .help("pass secrets with `RUN --mount=type=secret,id=…` instead of `ARG`/`ENV`");
        for (k, s) in secret.iter().skip(1) {
            r = r.label(*s, format!("`{k}` too"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;
    use crate::rules::test::*;

    #[test]
    fn fires_on_secret_names() {
        fires(
            "DL3064",
            "FROM alpine\nARG NPM_TOKEN\n",
            &[
                "2:5 DL3064 `NPM_TOKEN` looks like a secret, and `ARG` values stay in the image history",
            ],
        );
        fires(
            "DL3064",
            "FROM alpine\nENV DB_PASSWORD=x API_KEY=y\n",
            &[
                "2:5 DL3064 `DB_PASSWORD` looks like a secret, and `ENV` values stay in the image history",
            ],
        );
        fires(
            "DL3064",
            "FROM alpine\nONBUILD ARG GITHUB_TOKEN\n",
            &[
                "2:13 DL3064 `GITHUB_TOKEN` looks like a secret, and `ARG` values stay in the image history",
            ],
        );
    }

    #[test]
    fn passes_for_files_public_keys_and_versions() {
        passes(
            "DL3064",
            "FROM alpine\nENV POSTGRES_PASSWORD_FILE=/run/secrets/db\n",
        );
        passes(
            "DL3064",
            "FROM alpine\nARG TOKEN_VERSION=2\nENV GPG_KEY=ABCD PUBLIC_KEY=x\n",
        );
        passes("DL3064", "FROM alpine\nENV PATH=/x HOME=/root\n");
    }

    #[test]
    fn names() {
        assert!(is_secret_name("aws_secret_access_key"));
        assert!(is_secret_name("SLACK_TOKEN"));
        assert!(!is_secret_name("KEYCLOAK_VERSION"));
        assert!(!is_secret_name("SECRET_KEY_FILE"));
    }
}
