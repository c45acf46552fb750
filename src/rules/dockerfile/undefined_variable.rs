use super::var_refs::var_refs;
use crate::graph::{Base, Build, ImageRef};
use crate::rules::*;
use crate::syntax::{Args, Healthcheck, Instruction, Kind, Word};

/// IL2002
pub struct UndefinedVariable;

const META: Meta = Meta {
    code: "IL2002",
    name: "undefined-variable",
    aliases: &["UndefinedVar"],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A variable used outside `RUN` that nothing defines: it expands to nothing",
    doc: include_str!("../../../rules/undefined-variable.md"),
    target: Target::Dockerfile,
};

/// The automatic platform arguments: visible in a stage only after
/// `ARG NAME` declares them there.
const BUILTIN: [&str; 8] = [
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
];

/// Environment variables the configuration of common official images sets
/// (besides `PATH`, which every image sets). An image not listed here may
/// set anything, so only near misses of defined names are reported for it.
const IMAGE_ENV: &[(&str, &[&str])] = &[
    ("alpine", &[]),
    ("busybox", &[]),
    ("debian", &[]),
    ("ubuntu", &[]),
    ("fedora", &["DISTTAG", "FGC", "FBR"]),
    ("centos", &[]),
    ("rockylinux", &[]),
    ("almalinux", &[]),
    ("amazonlinux", &[]),
    ("archlinux", &["LANG"]),
    ("golang", &["GOLANG_VERSION", "GOTOOLCHAIN", "GOPATH"]),
    ("node", &["NODE_VERSION", "YARN_VERSION"]),
    (
        "python",
        &[
            "LANG",
            "GPG_KEY",
            "PYTHON_VERSION",
            "PYTHON_SHA256",
            "PYTHON_PIP_VERSION",
            "PYTHON_SETUPTOOLS_VERSION",
            "PYTHON_GET_PIP_URL",
            "PYTHON_GET_PIP_SHA256",
        ],
    ),
    ("rust", &["RUSTUP_HOME", "CARGO_HOME", "RUST_VERSION"]),
    ("openjdk", &["JAVA_HOME", "LANG", "JAVA_VERSION"]),
    (
        "eclipse-temurin",
        &["JAVA_HOME", "LANG", "LANGUAGE", "LC_ALL", "JAVA_VERSION"],
    ),
    ("amazoncorretto", &["LANG", "JAVA_HOME"]),
    (
        "maven",
        &[
            "JAVA_HOME",
            "LANG",
            "LANGUAGE",
            "LC_ALL",
            "JAVA_VERSION",
            "MAVEN_HOME",
            "MAVEN_CONFIG",
        ],
    ),
    (
        "gradle",
        &[
            "JAVA_HOME",
            "LANG",
            "LANGUAGE",
            "LC_ALL",
            "JAVA_VERSION",
            "GRADLE_HOME",
            "GRADLE_VERSION",
        ],
    ),
    (
        "nginx",
        &[
            "NGINX_VERSION",
            "NJS_VERSION",
            "NJS_RELEASE",
            "PKG_RELEASE",
            "DYNPKG_RELEASE",
        ],
    ),
    (
        "httpd",
        &[
            "HTTPD_PREFIX",
            "HTTPD_VERSION",
            "HTTPD_SHA256",
            "HTTPD_PATCHES",
        ],
    ),
    (
        "php",
        &[
            "PHPIZE_DEPS",
            "PHP_INI_DIR",
            "APACHE_CONFDIR",
            "APACHE_ENVVARS",
            "PHP_CFLAGS",
            "PHP_CPPFLAGS",
            "PHP_LDFLAGS",
            "GPG_KEYS",
            "PHP_VERSION",
            "PHP_URL",
            "PHP_ASC_URL",
            "PHP_SHA256",
        ],
    ),
    (
        "ruby",
        &[
            "LANG",
            "RUBY_VERSION",
            "RUBY_DOWNLOAD_URL",
            "RUBY_DOWNLOAD_SHA256",
            "GEM_HOME",
            "BUNDLE_SILENCE_ROOT_WARNING",
            "BUNDLE_APP_CONFIG",
        ],
    ),
    (
        "postgres",
        &["GOSU_VERSION", "LANG", "PG_MAJOR", "PG_VERSION", "PGDATA"],
    ),
    (
        "redis",
        &["REDIS_DOWNLOAD_URL", "REDIS_DOWNLOAD_SHA", "REDIS_VERSION"],
    ),
    (
        "tomcat",
        &[
            "JAVA_HOME",
            "LANG",
            "LANGUAGE",
            "LC_ALL",
            "JAVA_VERSION",
            "CATALINA_HOME",
            "TOMCAT_NATIVE_LIBDIR",
            "LD_LIBRARY_PATH",
            "GPG_KEYS",
            "TOMCAT_MAJOR",
            "TOMCAT_VERSION",
            "TOMCAT_SHA512",
        ],
    ),
    ("gcr.io/distroless/static", &["SSL_CERT_FILE"]),
    ("gcr.io/distroless/static-debian12", &["SSL_CERT_FILE"]),
    ("gcr.io/distroless/base", &["SSL_CERT_FILE"]),
    ("gcr.io/distroless/base-debian12", &["SSL_CERT_FILE"]),
    ("gcr.io/distroless/cc", &["SSL_CERT_FILE"]),
    ("gcr.io/distroless/cc-debian12", &["SSL_CERT_FILE"]),
];

/// The variables the base image is known to define, or `None` when the
/// image is not known (or `Some(&[])` for `scratch`).
fn base_env(base: Option<&Base>) -> Option<&'static [&'static str]> {
    match base? {
        Base::Scratch => Some(&[]),
        Base::Image(r) => known_image_env(r),
        _ => None,
    }
}

fn known_image_env(r: &ImageRef) -> Option<&'static [&'static str]> {
    let name = r.name();
    let name = [
        "public.ecr.aws/docker/library/",
        "mirror.gcr.io/library/",
        "docker.io/library/",
    ]
    .iter()
    .find_map(|p| name.strip_prefix(p))
    .unwrap_or(&name);
    IMAGE_ENV
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, env)| *env)
}

/// The words of an instruction that BuildKit expands, flags included.
fn expanded_words(ins: &Instruction) -> Vec<Word> {
    let mut out: Vec<Word> = ins
        .flags
        .iter()
        .filter_map(|f| Some(Word::new(f.value.clone()?, f.value_span?)))
        .collect();
    match &ins.args {
        Args::Paths(p) => out.extend(p.words.iter().cloned()),
        Args::Pairs(pairs) => {
            for p in pairs {
                out.push(p.key.clone());
                out.push(p.value.clone());
            }
        }
        Args::Arg(decls) => out.extend(decls.iter().filter_map(|d| d.value.clone())),
        Args::Words(w) => out.extend(w.iter().cloned()),
        Args::Text(w) if ins.kind != Kind::Maintainer => out.push(w.clone()),
        Args::Healthcheck(Healthcheck::Cmd { .. }) | Args::Command(_) => {}
        _ => {}
    }
    out
}

impl Rule for UndefinedVariable {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let df = cx.dockerfile();
        let global: Vec<&str> = build.global_args.iter().map(|a| a.name.as_str()).collect();
        for stage in &build.stages {
            if stage.windows {
                continue;
            }
            let image_env = base_env(build.root_base(stage.index));
            for i in stage.instructions().skip(1) {
                let Some(ins) = df.instructions.get(i) else {
                    continue;
                };
                // `RUN` text is the shell's; `ONBUILD` runs in another build
                if matches!(
                    ins.kind,
                    Kind::Onbuild | Kind::Cmd | Kind::Entrypoint | Kind::Shell | Kind::Healthcheck
                ) {
                    continue;
                }
                let Some(state) = build.state(i) else {
                    continue;
                };
                let scope = &state.scope;
                let mut reported: Vec<String> = Vec::new();
                for word in expanded_words(ins) {
                    if !word.text.contains('$') {
                        continue;
                    }
                    for r in var_refs(&word, cx.text(), df.escape) {
                        let name = r.name.as_str();
                        // BuildKit gives every stage a default `PATH`
                        if r.guarded
                            || name == "PATH"
                            || scope.is_declared(name)
                            || image_env.is_some_and(|env| env.contains(&name))
                            || reported.iter().any(|n| n == name)
                        {
                            continue;
                        }
                        let names: Vec<&str> =
                            scope.names().chain(global.iter().copied()).collect();
                        let suggestion = crate::suggest::closest(name, names.iter().copied());
                        let (message, help) = if BUILTIN.contains(&name) {
                            (
                                format!("`{name}` is empty here: this stage does not declare it"),
                                format!(
                                    "add `ARG {name}` to the stage; automatic arguments must be declared to be used"
                                ),
                            )
                        } else if global.contains(&name) {
                            (
                                format!("`{name}` is empty here: this stage does not declare it"),
                                format!(
                                    "add `ARG {name}` to the stage; arguments declared before `FROM` are visible only to `FROM`"
                                ),
                            )
                        } else {
                            match (suggestion, image_env) {
                                (Some(s), _) => (
                                    format!("`{name}` is not defined here"),
                                    format!("did you mean `{s}`?"),
                                ),
                                (None, Some(_)) => (
                                    format!("`{name}` is not defined here"),
                                    format!(
                                        "define it with `ARG {name}` or `ENV {name}=…` before use; unset, it expands to nothing"
                                    ),
                                ),
                                // an unknown base image may define it
                                _ => continue,
                            }
                        };
                        reported.push(r.name.clone());
                        cx.report(r.span, message).help(help);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_undefined_names_in_known_bases() {
        fires(
            "IL2002",
            "FROM alpine:3.20\nCOPY app /srv/$APP_DIR/\n",
            &["2:15 IL2002 `APP_DIR` is not defined here"],
        );
        fires(
            "IL2002",
            "FROM golang:1.23\nWORKDIR $HOME/src\nENV GOFLAGS=-mod=vendor P=$GOPATH/bin\n",
            &["2:9 IL2002 `HOME` is not defined here"],
        );
    }

    #[test]
    fn fires_on_typos_whatever_the_base() {
        let f = findings(
            "IL2002",
            "FROM example.com/private/base\nARG VERSION=1\nCOPY app-${VERISON}.jar /app.jar\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].help.as_deref(), Some("did you mean `VERSION`?"));
    }

    #[test]
    fn fires_on_arguments_the_stage_does_not_declare() {
        fires(
            "IL2002",
            "ARG VERSION=1\nFROM example.com/base\nCOPY bin/${TARGETARCH}/app-$VERSION /app\n",
            &[
                "3:10 IL2002 `TARGETARCH` is empty here: this stage does not declare it",
                "3:28 IL2002 `VERSION` is empty here: this stage does not declare it",
            ],
        );
    }

    #[test]
    fn passes_for_defined_guarded_and_inherited_names() {
        passes(
            "IL2002",
            "ARG VERSION=1\nFROM alpine AS base\nARG VERSION\nARG TARGETARCH\nENV APP=/srv\nCOPY bin/${TARGETARCH}/a-$VERSION $APP/\nLABEL v=${REVISION:-dev}\nRUN echo $UNDEFINED_IN_RUN\nFROM base\nWORKDIR $APP\nCMD echo $X\n",
        );
        // a base image nobody knows may define it
        passes("IL2002", "FROM example.com/base\nWORKDIR $APP_HOME\n");
        passes(
            "IL2002",
            "FROM node:22\nRUN true\nWORKDIR /app\nENV PATH=$PATH:/app/bin V=$NODE_VERSION\n",
        );
    }
}
