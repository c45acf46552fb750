use super::unpinned::report_unpinned;
use crate::rules::*;
use crate::shell::apt::package_names;
use crate::shell::pip::{is_pinned_requirement, pip_install};
use crate::syntax::{Instruction, Kind};

/// DL3013
pub struct PipInstallUnpinned;

const META: Meta = Meta {
    code: "DL3013",
    name: "pip-install-unpinned",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`pip install` of a package without a version",
    doc: include_str!("../../../rules/pip-install-unpinned.md"),
    target: Target::Dockerfile,
};

impl Rule for PipInstallUnpinned {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let scope = cx.state().map(|s| s.scope.clone()).unwrap_or_default();
        let mut unpinned = Vec::new();
        let mut label = String::new();
        for script in cx.scripts() {
            for (ci, cmd) in script.commands.iter().enumerate() {
                let Some(pip) = pip_install(cmd) else {
                    continue;
                };
                // requirements and constraints files pin what they list
                if pip.uses_requirement_files() {
                    continue;
                }
                for pkg in pip.packages() {
                    for name in package_names(script, ci, pkg, scope.as_ref()) {
                        if !is_pinned_requirement(&name) {
                            if unpinned.is_empty() {
                                label = pip.label.clone();
                            }
                            unpinned.push((name, pkg.span));
                        }
                    }
                }
            }
        }
        report_unpinned(cx, &unpinned, |first| {
            format!(
                "pin the version the image was tested with (`{label} {first}==<version>`), or install from a requirements file"
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_on_unpinned_packages() {
        fires(
            "DL3013",
            "FROM python:3.12\nRUN pip install --no-cache-dir flask==3.0.0 requests\n",
            &["2:45 DL3013 `requests` is installed without a version"],
        );
        fires(
            "DL3013",
            "FROM python:3.12\nRUN python3 -m pip install \\\n    # web\n    flask \\\n    gunicorn\n",
            &["4:5 DL3013 `flask` and 1 more package are installed without a version"],
        );
        fires(
            "DL3013",
            "FROM python:3.12\nRUN uv pip install --system ruff\n",
            &["2:29 DL3013 `ruff` is installed without a version"],
        );
        fires(
            "DL3013",
            "FROM python:3.12\nRUN pip install --upgrade pip setuptools==69.0.0\n",
            &["2:27 DL3013 `pip` is installed without a version"],
        );
    }

    #[test]
    fn judges_variables_by_their_value() {
        fires(
            "DL3013",
            "FROM python:3.12\nARG PKGS=\"flask==3.0.0 celery\"\nRUN pip install $PKGS\n",
            &["3:17 DL3013 `celery` is installed without a version"],
        );
        passes(
            "DL3013",
            "FROM python:3.12\nARG V=3.0.0\nRUN pip install flask==$V \"celery>=${CELERY}\"\n",
        );
        passes("DL3013", "FROM python:3.12\nRUN pip install $PACKAGES\n");
        passes(
            "DL3013",
            "FROM python:3.12\nENV B2_VERSION=4.0.1\nRUN pip install \"b2 == $B2_VERSION\"\n",
        );
    }

    #[test]
    fn fires_in_heredocs_and_onbuild() {
        fires(
            "DL3013",
            "FROM python:3.12\nRUN <<EOF\npip3 install black\nEOF\n",
            &["3:14 DL3013 `black` is installed without a version"],
        );
        fires(
            "DL3013",
            "FROM python:3.12\nONBUILD RUN pip install black\n",
            &["2:25 DL3013 `black` is installed without a version"],
        );
    }

    #[test]
    fn passes_for_pinned_files_and_other_tools() {
        for run in [
            "pip install -r requirements.txt",
            "pip install --requirement=req.txt extra",
            "pip install -c constraints.txt flask",
            "pip install .",
            "pip install -e .",
            "pip install ./dist/app-1.0-py3-none-any.whl",
            "pip install 'flask>=3,<4' 'x[y]~=1.0'",
            "pip install git+https://github.com/a/b.git@v1.2",
            "pip install 'b @ https://h/b-1.0.tar.gz'",
            "pipx install black",
            "pipenv install flask",
            "pip download flask",
            "pip install --index-url https://mirror/simple flask==3.0.0",
        ] {
            passes("DL3013", &format!("FROM python:3.12\nRUN {run}\n"));
        }
    }
}
