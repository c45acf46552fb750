use super::lang::inputs::{Inputs, Presence};
use super::lang::lock_checked_steps;
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::deps::Tool;
use crate::syntax::{Instruction, Kind};

/// IL3301
pub struct NpmInstallWithLockfile;

const META: Meta = Meta {
    code: "IL3301",
    name: "npm-install-with-lockfile",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Maintainability,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "`npm install` is used where `npm ci` installs exactly what the lockfile pins",
    doc: include_str!("../../../rules/npm-install-with-lockfile.md"),
    target: Target::Dockerfile,
};

impl Rule for NpmInstallWithLockfile {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let Some((index, steps)) = lock_checked_steps(cx) else {
            return;
        };
        let hits: Vec<_> = steps
            .into_iter()
            .filter(|s| {
                s.step.tool == Tool::Npm
                    && !matches!(
                        s.step.label.as_str(),
                        "npm ci" | "npm clean-install" | "npm install-clean"
                    )
                    // the lockfile is ignored or only written on purpose
                    && !s.args.has(&[], &["no-package-lock", "package-lock-only"])
                    && !s.args.words.iter().any(|w| w.value == "--package-lock=false")
            })
            .map(|s| s.step)
            .collect();
        let Some(first) = hits.first() else { return };
        let inputs = Inputs::before(cx, index);
        let Presence::Copied(lock) = inputs.lock(cx, Tool::Npm) else {
            return;
        };
        let edits: Vec<Edit> = hits
            .iter()
            .map(|s| Edit::replace(s.subcommand, "ci"))
            .collect();
        cx
            .report(
                first.span,
                format!(
                    "`{}` can install versions other than the lockfile pins; `npm ci` cannot",
                    first.label
                ),
            )
            .help("use `npm ci`, which installs exactly what `package-lock.json` records and fails when it is stale")
            .label(lock, "the lockfile is part of the build")
            .fix(Fix::unsafe_("use `npm ci`", edits))
            .label_each(hits.iter().skip(1).map(|s| s.span), "also ignores the lockfile");
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_when_the_lockfile_is_copied() {
        fires(
            "IL3301",
            "FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm install --omit=dev\n",
            &[
                "4:5 IL3301 `npm install` can install versions other than the lockfile pins; `npm ci` cannot",
            ],
        );
        fires(
            "IL3301",
            "FROM node:22\nCOPY package*.json ./\nRUN npm i\n",
            &[
                "3:5 IL3301 `npm i` can install versions other than the lockfile pins; `npm ci` cannot",
            ],
        );
    }

    #[test]
    fn passes_without_a_visible_lockfile() {
        for text in [
            "FROM node:22\nCOPY package.json ./\nRUN npm install\n",
            "FROM node:22\nCOPY . .\nRUN npm install\n",
            "FROM node:22\nCOPY package*.json ./\nRUN npm ci\n",
            "FROM node:22\nCOPY package*.json ./\nRUN npm install -g pnpm\n",
            "FROM node:22\nCOPY package*.json ./\nRUN npm install express\n",
            "FROM node:22\nCOPY package*.json ./\nRUN npm install --no-package-lock\n",
            "FROM node:22\nONBUILD COPY package*.json ./\nONBUILD RUN npm install\n",
        ] {
            passes("IL3301", text);
        }
    }

    #[test]
    fn a_glob_counts_only_when_the_context_has_the_lockfile() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("package.json"), "{}").unwrap();
        let path = dir.path().join("Dockerfile").display().to_string();
        let settings = crate::lint::LintSettings {
            selection: crate::rules::Selection::only(&["IL3301".to_string()]).unwrap(),
            ..crate::lint::LintSettings::default()
        };
        let text = "FROM node:22\nCOPY package*.json ./\nRUN npm install\n";
        assert!(
            crate::lint::lint_text(&path, text, &settings)
                .findings
                .is_empty()
        );
        std::fs::write(dir.path().join("package-lock.json"), "{}").unwrap();
        assert_eq!(
            crate::lint::lint_text(&path, text, &settings)
                .findings
                .len(),
            1
        );
    }

    #[test]
    fn bind_mounted_lockfiles_count() {
        fires(
            "IL3301",
            "FROM node:22\nRUN --mount=type=bind,source=package.json,target=package.json \\\n    --mount=type=bind,source=package-lock.json,target=package-lock.json \\\n    npm install\n",
            &[
                "4:5 IL3301 `npm install` can install versions other than the lockfile pins; `npm ci` cannot",
            ],
        );
    }

    #[test]
    fn heredoc_and_stage_chain() {
        fires(
            "IL3301",
            "FROM node:22 AS deps\nCOPY package*.json ./\nFROM deps\nRUN <<EOF\nnpm install\nEOF\n",
            &[
                "5:1 IL3301 `npm install` can install versions other than the lockfile pins; `npm ci` cannot",
            ],
        );
    }

    #[test]
    fn fix_uses_npm_ci_with_the_same_flags() {
        assert_eq!(
            fixed(
                "IL3301",
                "FROM node:22\nCOPY package*.json ./\nRUN npm install --omit=dev --ignore-scripts\n",
                Applicability::Unsafe
            ),
            "FROM node:22\nCOPY package*.json ./\nRUN npm ci --omit=dev --ignore-scripts\n"
        );
        let text = "FROM node:22\nCOPY package*.json ./\nRUN npm install\n";
        assert_eq!(fixed("IL3301", text, Applicability::Safe), text);
    }
}
