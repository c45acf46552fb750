use super::unpinned::report_unpinned;
use crate::rules::*;
use crate::shell::apt::package_names;
use crate::shell::args::Args;
use crate::syntax::{Instruction, Kind};

/// DL3028
pub struct GemInstallUnpinned;

const META: Meta = Meta {
    code: "DL3028",
    name: "gem-install-unpinned",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`gem install` of a gem without a version",
    doc: include_str!("../../../rules/gem-install-unpinned.md"),
    target: Target::Dockerfile,
};

/// Options of `gem install` that take a value.
const GEM_OPTIONS_WITH_VALUE: &[&str] = &[
    "-v",
    "--version",
    "-i",
    "--install-dir",
    "-n",
    "--bindir",
    "-s",
    "--source",
    "-P",
    "--trust-policy",
    "--platform",
    "-g",
    "--file",
    "--build-root",
    "-p",
    "--http-proxy",
    "--config-file",
    "--target-rbconfig",
];

/// Whether a gem operand names its version or a local file: `rails:7.1`,
/// `./x.gem`.
fn is_gem_pinned(gem: &str) -> bool {
    gem.contains(':') || gem.ends_with(".gem") || gem.contains('/')
}

impl Rule for GemInstallUnpinned {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let scope = cx.state().map(|s| s.scope.clone()).unwrap_or_default();
        let mut unpinned = Vec::new();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(args) = Args::of(cmd) else { continue };
                if args.program() != "gem" {
                    continue;
                }
                let ops = args.operands(GEM_OPTIONS_WITH_VALUE);
                let Some((sub, gems)) = ops.split_first() else {
                    continue;
                };
                // `-v` pins every gem of the command
                if !matches!(sub.value.as_str(), "install" | "i") || args.has(&['v'], &["version"])
                {
                    continue;
                }
                for gem in gems {
                    for name in package_names(script, ci, gem, scope.as_ref()) {
                        if !is_gem_pinned(&name) {
                            unpinned.push((name, gem.span));
                        }
                    }
                }
            }
        }
        report_unpinned(cx, &unpinned, |first| {
            format!(
                "pin the version the image was tested with: `{first}:<version>` or `-v <version>`"
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_unpinned_gems() {
        fires(
            "DL3028",
            "FROM ruby:3.3\nRUN gem install --no-document bundler\n",
            &["2:31 DL3028 `bundler` is installed without a version"],
        );
        fires(
            "DL3028",
            "FROM ruby:3.3\nRUN gem i rails:7.1.3 \\\n  # and\n  puma pg\n",
            &["4:3 DL3028 `puma` and 1 more package are installed without a version"],
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3028",
            "FROM ruby:3.3\nRUN <<EOF\ngem install rake\nEOF\n",
            &["3:13 DL3028 `rake` is installed without a version"],
        );
        fires(
            "DL3028",
            "FROM ruby:3.3\nONBUILD RUN gem install rake\n",
            &["2:25 DL3028 `rake` is installed without a version"],
        );
    }

    #[test]
    fn passes_when_pinned() {
        for run in [
            "gem install bundler -v 2.5.6",
            "gem install bundler --version=2.5.6",
            "gem install bundler:2.5.6 rake:13.1.0",
            "gem install ./pkg/app-1.0.gem",
            "gem update --system",
            "bundle install",
        ] {
            passes("DL3028", &format!("FROM ruby:3.3\nRUN {run}\n"));
        }
        passes(
            "DL3028",
            "FROM ruby:3.3\nARG BUNDLER_VERSION=2.5.6\nRUN gem install bundler:$BUNDLER_VERSION\n",
        );
    }
}
