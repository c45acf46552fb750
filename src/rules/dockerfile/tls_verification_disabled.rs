use crate::rules::*;
use crate::shell::args::Args;
use crate::shell::pip::{is_pip_program, is_python_program};
use crate::shell::{ShellWord, SimpleCommand};
use crate::source::Span;
use crate::syntax::{Args as InsArgs, Instruction, Kind};

/// IL4003
pub struct TlsVerificationDisabled;

const META: Meta = Meta {
    code: "IL4003",
    name: "tls-verification-disabled",
    aliases: &[
        "CKV2_DOCKER_2",
        "CKV2_DOCKER_3",
        "CKV2_DOCKER_4",
        "CKV2_DOCKER_5",
        "CKV2_DOCKER_6",
        "CKV2_DOCKER_12",
        "CKV2_DOCKER_13",
        "CKV2_DOCKER_14",
        "CKV2_DOCKER_15",
        "CKV2_DOCKER_16",
    ],
    severity: Severity::Warning,
    category: Category::Security,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "A download or tool told not to verify TLS certificates",
    doc: include_str!("../../../rules/tls-verification-disabled.md"),
    target: Target::Dockerfile,
};

/// Whether setting environment variable `name` to `value` turns TLS
/// verification off, and what it is called.
pub(super) fn insecure_variable(name: &str, value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    let off = matches!(v.as_str(), "0" | "false" | "no" | "off");
    match name.to_ascii_uppercase().as_str() {
        "PYTHONHTTPSVERIFY" | "NODE_TLS_REJECT_UNAUTHORIZED" => v == "0",
        "NPM_CONFIG_STRICT_SSL" | "YARN_ENABLE_STRICT_SSL" | "YARN_STRICT_SSL" => off,
        // git turns verification off for any value
        "GIT_SSL_NO_VERIFY" => true,
        "PIP_TRUSTED_HOST" | "UV_INSECURE_HOST" => !v.is_empty(),
        _ => false,
    }
}

fn sslverify_off(text: &str) -> bool {
    let t: String = text
        .to_ascii_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    [
        "sslverify=0",
        "sslverify=false",
        "sslverify=no",
        "verify-peer\"false",
        "verify-peer=false",
        "verify-host=false",
    ]
    .iter()
    .any(|p| t.contains(p))
}

/// The word and what it does, when a command turns verification off.
fn insecure_option<'a>(cmd: &'a SimpleCommand) -> Option<(&'a ShellWord, String)> {
    let args = Args::of(cmd)?;
    let program = args.program();
    let found = |w: Option<&'a ShellWord>, what: &str| w.map(|w| (w, what.to_string()));
    let value_after = |key: &str| {
        args.words.iter().enumerate().find_map(|(i, w)| {
            let k = w.value.to_ascii_lowercase();
            let (k, v) = match k.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (
                    k,
                    args.words.get(i + 1).map(|n| n.value.to_ascii_lowercase()),
                ),
            };
            (k.trim_start_matches('-') == key).then_some((w, v.unwrap_or_default()))
        })
    };
    match program {
        "curl" => found(
            args.find(&['k'], &["insecure"]),
            "`curl -k` accepts any certificate",
        ),
        "wget" => found(
            args.find(&[], &["no-check-certificate"]),
            "`wget --no-check-certificate` accepts any certificate",
        ),
        p if is_pip_program(p) || is_python_program(p) || p == "uv" => {
            if let Some(w) = args.find(&[], &["trusted-host", "allow-insecure-host"]) {
                return Some((
                    w,
                    format!(
                        "`{p} {}` skips certificate checks for a host",
                        w.value.split('=').next().unwrap_or("")
                    ),
                ));
            }
            args.words
                .iter()
                .find(|w| w.value.ends_with(".trusted-host"))
                .map(|w| {
                    (
                        w,
                        "pip configured with a trusted host skips its certificate checks"
                            .to_string(),
                    )
                })
        }
        "npm" | "yarn" | "pnpm" => {
            if let Some((w, v)) =
                value_after("strict-ssl").or_else(|| value_after("enablestrictssl"))
                && matches!(v.as_str(), "false" | "0" | "no")
            {
                return Some((
                    w,
                    format!("`{program}` with `strict-ssl` off accepts any certificate"),
                ));
            }
            None
        }
        "git" => {
            let w = args.words.iter().enumerate().find(|(i, w)| {
                let v = w.value.to_ascii_lowercase();
                if let Some(rest) = v.strip_prefix("http.sslverify") {
                    let value = match rest.strip_prefix('=') {
                        Some(v) => v.to_string(),
                        None => args
                            .words
                            .get(i + 1)
                            .map(|n| n.value.to_ascii_lowercase())
                            .unwrap_or_default(),
                    };
                    return matches!(value.as_str(), "false" | "0" | "no" | "off");
                }
                false
            })?;
            Some((
                w.1,
                "`git` with `http.sslVerify` off accepts any certificate".to_string(),
            ))
        }
        "yum" | "dnf" | "microdnf" | "tdnf" | "yum-config-manager" | "dnf-config-manager" => args
            .words
            .iter()
            .find(|w| sslverify_off(&w.value))
            .map(|w| {
                (
                    w,
                    format!("`{program}` with `sslverify` off accepts any certificate"),
                )
            }),
        "composer" => {
            let (w, v) = value_after("secure-http").or_else(|| value_after("disable-tls"))?;
            let off = if w.value.contains("disable-tls") {
                v == "true"
            } else {
                v == "false"
            };
            off.then(|| (w, "`composer` told to allow insecure downloads".to_string()))
        }
        "export" | "declare" | "typeset" | "env" => args.words.iter().find_map(|w| {
            let (k, v) = w.value.split_once('=')?;
            insecure_variable(k, v).then(|| (w, format!("`{k}` turns TLS verification off")))
        }),
        // configuration written by hand (`echo sslverify=0 >> /etc/yum.conf`)
        "echo" | "printf" | "tee" | "sed" => args
            .words
            .iter()
            .find(|w| sslverify_off(&w.value))
            .map(|w| {
                (
                    w,
                    "configuration that turns TLS verification off".to_string(),
                )
            }),
        _ => None,
    }
}

impl Rule for TlsVerificationDisabled {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run, Kind::Env, Kind::Arg]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let index = cx.instruction_index().unwrap_or(0);
        let mut found: Vec<(Span, String)> = Vec::new();
        match &ins.args {
            InsArgs::Pairs(pairs) => {
                for p in pairs {
                    let value = cx.expand_at(index, &p.value.text);
                    if insecure_variable(&p.key.text, &value) {
                        found.push((
                            p.span,
                            format!("`{}` turns TLS verification off", p.key.text),
                        ));
                    }
                }
            }
            InsArgs::Arg(decls) => {
                for d in decls {
                    let Some(v) = &d.value else { continue };
                    let value = cx.expand_at(index, &v.text);
                    if insecure_variable(&d.name.text, &value) {
                        found.push((
                            d.span,
                            format!("`{}` turns TLS verification off", d.name.text),
                        ));
                    }
                }
            }
            _ => {
                for cmd in cx.scripts().iter().flat_map(|s| s.commands.iter()) {
                    for a in &cmd.assignments {
                        if let Some((k, v)) = a.value.split_once('=')
                            && insecure_variable(k, v)
                        {
                            found.push((a.span, format!("`{k}` turns TLS verification off")));
                        }
                    }
                    if let Some((w, what)) = insecure_option(cmd) {
                        found.push((w.span, what));
                    }
                }
            }
        }
        for (span, what) in found {
            cx.report(span, what)
                .help("keep verification on: add the CA certificate the server uses to the image and let the tool trust it");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_insecure_downloads() {
        fires(
            "IL4003",
            "FROM alpine\nRUN curl -fsSLk https://x/y | sh \\\n  && wget --no-check-certificate https://x/z\n",
            &[
                "2:10 IL4003 `curl -k` accepts any certificate",
                "3:11 IL4003 `wget --no-check-certificate` accepts any certificate",
            ],
        );
        assert_eq!(
            spans(
                "IL4003",
                "FROM python\nRUN pip install --trusted-host pypi.example.com -r r.txt\n"
            ),
            ["--trusted-host"]
        );
        assert_eq!(
            spans(
                "IL4003",
                "FROM python\nRUN python3 -m pip config set global.trusted-host example.com\n"
            ),
            ["global.trusted-host"]
        );
        assert_eq!(spans("IL4003", "FROM node\nRUN npm config set strict-ssl false && yarn config set strict-ssl false\n").len(), 2);
        assert_eq!(
            spans("IL4003", "FROM node\nRUN npm install --strict-ssl=false\n"),
            ["--strict-ssl=false"]
        );
        assert_eq!(
            spans(
                "IL4003",
                "FROM alpine\nRUN git config --global http.sslVerify false\n"
            ),
            ["http.sslVerify"]
        );
        assert_eq!(
            spans(
                "IL4003",
                "FROM alpine\nRUN git -c http.sslVerify=false clone https://x\n"
            ),
            ["http.sslVerify=false"]
        );
        assert_eq!(
            spans(
                "IL4003",
                "FROM fedora\nRUN dnf install -y --setopt=sslverify=0 x\n"
            ),
            ["--setopt=sslverify=0"]
        );
        assert_eq!(
            spans(
                "IL4003",
                "FROM centos\nRUN echo 'sslverify=false' >> /etc/yum.conf\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn fires_on_insecure_variables() {
        fires(
            "IL4003",
            "FROM node\nENV NODE_TLS_REJECT_UNAUTHORIZED=0 A=1\nARG PYTHONHTTPSVERIFY=0\nRUN GIT_SSL_NO_VERIFY=1 git clone https://x \\\n && export NPM_CONFIG_STRICT_SSL=false\n",
            &[
                "2:5 IL4003 `NODE_TLS_REJECT_UNAUTHORIZED` turns TLS verification off",
                "3:5 IL4003 `PYTHONHTTPSVERIFY` turns TLS verification off",
                "4:5 IL4003 `GIT_SSL_NO_VERIFY` turns TLS verification off",
                "5:12 IL4003 `NPM_CONFIG_STRICT_SSL` turns TLS verification off",
            ],
        );
        assert_eq!(
            spans(
                "IL4003",
                "FROM python\nARG HOST=pypi.example.com\nENV PIP_TRUSTED_HOST=$HOST\n"
            )
            .len(),
            1
        );
    }

    #[test]
    fn passes_for_verified_downloads() {
        passes(
            "IL4003",
            "FROM alpine\nRUN curl -fsSL -K cfg https://x && wget -q https://y && pip install --index-url https://x r\nENV NODE_TLS_REJECT_UNAUTHORIZED=1 PIP_TRUSTED_HOST=\nRUN npm config set strict-ssl true && git config http.sslVerify true && curl -o k https://x\n",
        );
    }
}
