use super::yum_cache_not_cleaned::{CacheCheck, check_cache};
use crate::rules::*;
use crate::shell::SimpleCommand;
use crate::shell::npm::{is_yarn_cache_clean, yarn_install};
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// DL3060
pub struct YarnCacheNotCleaned;

const META: Meta = Meta {
    code: "DL3060",
    name: "yarn-cache-not-cleaned",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Size,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`yarn install` without `yarn cache clean` leaves the package cache in the image",
    doc: include_str!("../../../rules/yarn-cache-not-cleaned.md"),
    target: Target::Dockerfile,
};

/// Where yarn keeps downloaded packages (classic and berry).
const YARN_CACHE_DIRS: &[&str] = &[
    "/usr/local/share/.cache/yarn",
    "~/.cache/yarn",
    "~/.yarn/berry/cache",
    "~/.yarn/cache",
];

fn yarn_fills(c: &SimpleCommand) -> Option<(Span, String)> {
    let w = yarn_install(c)?;
    let label = if w.value == "install" {
        "yarn install"
    } else {
        "yarn"
    };
    Some((w.span, label.to_string()))
}

impl Rule for YarnCacheNotCleaned {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        check_cache(
            cx,
            ins,
            &CacheCheck {
                fills: &yarn_fills,
                cleans: &is_yarn_cache_clean,
                dirs: YARN_CACHE_DIRS,
                clean: "yarn cache clean",
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_without_cleaning() {
        fires(
            "DL3060",
            "FROM node:22\nRUN yarn install --frozen-lockfile\n",
            &[
                "2:10 DL3060 `yarn install` without `yarn cache clean` leaves the cache in the layer",
            ],
        );
        fires(
            "DL3060",
            "FROM node:22\nRUN yarn --production \\\n  # build\n  && yarn build\n",
            &["2:5 DL3060 `yarn` without `yarn cache clean` leaves the cache in the layer"],
        );
        fires(
            "DL3060",
            "FROM node:22\nRUN <<EOF\nyarn install\nEOF\n",
            &["3:6 DL3060 `yarn install` without `yarn cache clean` leaves the cache in the layer"],
        );
        fires(
            "DL3060",
            "FROM node:22\nONBUILD RUN yarn install\n",
            &[
                "2:18 DL3060 `yarn install` without `yarn cache clean` leaves the cache in the layer",
            ],
        );
    }

    #[test]
    fn passes_with_cleanup_or_mounts() {
        for run in [
            "yarn install && yarn cache clean",
            "yarn install && yarn cache clean --all",
            "yarn install && rm -rf /usr/local/share/.cache/yarn",
            "--mount=type=cache,target=/usr/local/share/.cache/yarn yarn install",
            "--mount=type=cache,target=/root/.cache/yarn yarn install",
            "yarn build",
            "yarn --version",
            "npm install",
        ] {
            passes("DL3060", &format!("FROM node:22\nRUN {run}\n"));
        }
    }

    #[test]
    fn builder_stages_are_not_reported() {
        passes(
            "DL3060",
            "FROM node:22 AS build\nRUN yarn install && yarn build\nFROM nginx\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
        );
    }
}
