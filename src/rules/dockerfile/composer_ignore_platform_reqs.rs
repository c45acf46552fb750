use crate::rules::*;
use crate::shell::args::Args;
use crate::syntax::{Instruction, Kind};

/// IL3406
pub struct ComposerIgnorePlatformReqs;

const META: Meta = Meta {
    code: "IL3406",
    name: "composer-ignore-platform-reqs",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "Composer ignores every platform requirement, so missing PHP extensions show up at run time",
    doc: include_str!("../../../rules/composer-ignore-platform-reqs.md"),
    target: Target::Dockerfile,
};

impl Rule for ComposerIgnorePlatformReqs {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        let mut hits = Vec::new();
        for script in cx.scripts() {
            for cmd in &script.commands {
                let Some(a) = Args::of(cmd) else { continue };
                let program = a.program();
                if !matches!(program, "composer" | "composer.phar") {
                    continue;
                }
                let Some(sub) = a.words.iter().find(|w| !w.value.starts_with('-')) else {
                    continue;
                };
                if !matches!(
                    sub.value.as_str(),
                    "install"
                        | "i"
                        | "update"
                        | "u"
                        | "upgrade"
                        | "require"
                        | "r"
                        | "create-project"
                ) {
                    continue;
                }
                if let Some(w) = a.words.iter().find(|w| w.value == "--ignore-platform-reqs") {
                    hits.push(w.span);
                }
            }
        }
        let Some(&at) = hits.first() else { return };
        let mut r = cx
            .report(at, "`--ignore-platform-reqs` hides missing PHP extensions until run time")
            .help("run Composer with the runtime's PHP (`COPY --from=composer:2 /usr/bin/composer /usr/bin/composer`), or ignore only named requirements with `--ignore-platform-req=<name>`");
        for span in hits.iter().skip(1) {
            r = r.label(*span, "also ignores every requirement");
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_for_the_blanket_flag() {
        fires(
            "IL3406",
            "FROM composer:2 AS vendor\nCOPY composer.json composer.lock ./\nRUN composer install --no-dev --ignore-platform-reqs --prefer-dist\n",
            &["3:31 IL3406 `--ignore-platform-reqs` hides missing PHP extensions until run time"],
        );
        assert_eq!(
            spans(
                "IL3406",
                "FROM php:8.3\nRUN <<EOF\nphp composer.phar update\ncomposer install --ignore-platform-reqs\nEOF\n"
            ),
            ["--ignore-platform-reqs"]
        );
        assert_eq!(
            spans(
                "IL3406",
                "FROM composer:2\nONBUILD RUN composer install --ignore-platform-reqs\n"
            ),
            ["--ignore-platform-reqs"]
        );
    }

    #[test]
    fn passes_for_named_requirements() {
        passes(
            "IL3406",
            "FROM composer:2\nRUN composer install --ignore-platform-req=ext-gd --ignore-platform-req=php\n",
        );
        passes("IL3406", "FROM composer:2\nRUN composer install --no-dev\n");
        passes(
            "IL3406",
            "FROM composer:2\nRUN echo --ignore-platform-reqs\n",
        );
    }
}
