use super::unpinned::report_unpinned;
use crate::rules::*;
use crate::shell::apt::package_names;
use crate::shell::npm::{is_npm_pinned, npm_install};
use crate::syntax::{Instruction, Kind};

/// DL3016
pub struct NpmInstallUnpinned;

const META: Meta = Meta {
    code: "DL3016",
    name: "npm-install-unpinned",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`npm install` of a package without a version",
    doc: include_str!("../../../rules/npm-install-unpinned.md"),
    target: Target::Dockerfile,
};

impl Rule for NpmInstallUnpinned {
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
                let Some(npm) = npm_install(cmd) else {
                    continue;
                };
                for pkg in &npm.packages {
                    for name in package_names(script, ci, pkg, scope.as_ref()) {
                        if !is_npm_pinned(&name) {
                            unpinned.push((name, pkg.span));
                        }
                    }
                }
            }
        }
        report_unpinned(cx, &unpinned, |first| {
            format!("pin the version the image was tested with: `{first}@<version>`")
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_unpinned_packages() {
        fires(
            "DL3016",
            "FROM node:22\nRUN npm install -g typescript@5.4.5 pm2\n",
            &["2:37 DL3016 `pm2` is installed without a version"],
        );
        fires(
            "DL3016",
            "FROM node:22\nRUN npm i --global \\\n    # cli\n    @angular/cli \\\n    nx\n",
            &["4:5 DL3016 `@angular/cli` and 1 more package are installed without a version"],
        );
        fires(
            "DL3016",
            "FROM node:22\nRUN npm install --loglevel warn git+https://github.com/a/b.git\n",
            &["2:33 DL3016 `git+https://github.com/a/b.git` is installed without a version"],
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild_and_reads_variables() {
        fires(
            "DL3016",
            "FROM node:22\nRUN <<EOF\nnpm install -g yarn\nEOF\n",
            &["3:16 DL3016 `yarn` is installed without a version"],
        );
        fires(
            "DL3016",
            "FROM node:22\nONBUILD RUN npm install -g yarn\n",
            &["2:28 DL3016 `yarn` is installed without a version"],
        );
        passes(
            "DL3016",
            "FROM node:22\nARG NPM_VERSION=10.8.1\nRUN npm install -g npm@${NPM_VERSION}\n",
        );
        passes("DL3016", "FROM node:22\nRUN npm install -g $TOOLS\n");
        passes(
            "DL3016",
            "FROM node:22\nARG V=v2.4.1\nRUN npm install -g doctoc@${V#v}\n",
        );
    }

    #[test]
    fn passes_for_projects_pins_and_local_sources() {
        for run in [
            "npm install",
            "npm ci --omit=dev",
            "npm install --production",
            "npm install express@4.18.2 @scope/pkg@^1.0.0",
            "npm install -g npm@latest",
            "npm install ./local-pkg /tmp/x.tgz",
            "npm install git+https://github.com/a/b.git#v1.0.0",
            "npm run build",
            "yarn add express",
        ] {
            passes("DL3016", &format!("FROM node:22\nRUN {run}\n"));
        }
    }
}
