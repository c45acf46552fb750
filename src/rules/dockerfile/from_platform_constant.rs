use crate::graph::Build;
use crate::rules::*;
use crate::syntax::lex::Lex;

/// DL3029
pub struct FromPlatformConstant;

const META: Meta = Meta {
    code: "DL3029",
    name: "from-platform-constant",
    aliases: &["FromPlatformFlagConstDisallowed"],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`FROM --platform` pins a stage to one constant platform",
    doc: include_str!("../../../rules/from-platform-constant.md"),
    target: Target::Dockerfile,
};

/// BuildKit's normal names for an OS/architecture pair.
fn normalize(platform: &str) -> Option<(String, String)> {
    let mut parts = platform.split('/');
    let os = parts.next()?.trim().to_ascii_lowercase();
    let arch = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    if os.is_empty() {
        return None;
    }
    let arch = match arch.as_str() {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        "armhf" | "armel" => "arm",
        "i386" | "i486" | "i586" | "i686" => "386",
        other => other,
    };
    Some((os, arch.to_string()))
}

impl Rule for FromPlatformConstant {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let lex = Lex::new(cx.dockerfile().escape);
        for stage in &build.stages {
            let Some(flag) = cx.instruction(stage.from).and_then(|f| f.flag("platform")) else {
                continue;
            };
            let Ok(p) = lex.process(flag.value_or_empty(), &build.global_scope) else {
                continue;
            };
            // a variable lets the build choose; empty is no platform at all
            if !p.matched.is_empty() || !p.unmatched.is_empty() || p.result.trim().is_empty() {
                continue;
            }
            let Some((os, arch)) = normalize(&p.result) else {
                continue;
            };
            // `FROM --platform=linux/arm64 … AS base-arm64` is on purpose
            let name = stage.name.as_deref().unwrap_or("");
            if name.contains(&os) || (!arch.is_empty() && name.contains(&arch)) {
                continue;
            }
            cx.report(
                flag.span,
                format!("`{}` pins the stage to one platform", p.result),
            )
            .help(
                "use `$BUILDPLATFORM` or `$TARGETPLATFORM`, or name the stage after the platform",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_constant_platforms() {
        fires(
            "DL3029",
            "FROM --platform=linux/amd64 alpine AS vault\nFROM --platform=\"linux/arm/v7\" ubuntu\n",
            &[
                "1:6 DL3029 `linux/amd64` pins the stage to one platform",
                "2:6 DL3029 `linux/arm/v7` pins the stage to one platform",
            ],
        );
        assert_eq!(
            spans("DL3029", "FROM --platform=linux/amd64 alpine\n"),
            ["--platform=linux/amd64"]
        );
    }

    #[test]
    fn passes_on_variables_and_platform_named_stages() {
        for from in [
            "FROM --platform=$BUILDPLATFORM golang AS build",
            "FROM --platform=$TARGETPLATFORM alpine",
            "ARG arch=amd64\nFROM --platform=linux/${arch} ubuntu:24.04",
            "FROM --platform=linux/amd64 scratch AS amd64",
            "FROM --platform=linux/arm64 almalinux:8 AS base-arm64",
            "FROM --platform=linux/aarch64 almalinux:8 AS base-arm64",
            "FROM --platform=windows/amd64 mcr.microsoft.com/windows/servercore:ltsc2022 AS windows",
            "FROM alpine",
        ] {
            passes("DL3029", &format!("{from}\n"));
        }
    }
}
