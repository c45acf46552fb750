use crate::rules::*;
use crate::shell::args::Args;
use crate::syntax::{Instruction, Kind};

/// IL3405
pub struct ComposerScriptsBeforeSource;

const META: Meta = Meta {
    code: "IL3405",
    name: "composer-scripts-before-source",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`composer install` runs its scripts before the application source is copied",
    doc: include_str!("../../../rules/composer-scripts-before-source.md"),
    target: Target::Dockerfile,
};

/// Whether a copy source is the whole build context (`.`, `./`, `*`).
fn whole_context(source: &str) -> bool {
    matches!(source.trim_end_matches('/'), "" | "." | "*" | "./*" | "./.")
}

fn base(path: &str) -> &str {
    let p = path.trim_end_matches('/');
    p.rsplit('/').next().unwrap_or(p)
}

impl Rule for ComposerScriptsBeforeSource {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, _ins: &Instruction) {
        if cx.in_onbuild() {
            return;
        }
        let (Some(current), Some(state)) = (cx.instruction_index(), cx.state()) else {
            return;
        };
        let build = cx.build();
        let Some(stage) = build.stages.get(state.stage) else {
            return;
        };
        // a stage's copies include those of its `FROM` parents
        let earlier: Vec<_> = stage
            .config
            .copies
            .iter()
            .filter(|c| c.instruction < current && c.from.is_none())
            .collect();
        // a dependency layer: the manifest copied, the source not yet
        if earlier
            .iter()
            .any(|c| c.sources.iter().any(|s| whole_context(s)))
            || !earlier
                .iter()
                .any(|c| c.sources.iter().any(|s| base(s).starts_with("composer")))
        {
            return;
        }
        let Some(later) = stage.config.copies.iter().find(|c| {
            c.instruction > current
                && c.from.is_none()
                && c.sources.iter().any(|s| whole_context(s))
        }) else {
            return;
        };
        // a project without scripts
        if let Some(m) = cx
            .context_text("composer.json")
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            && m.get("scripts")
                .and_then(|s| s.as_object())
                .is_none_or(|s| s.is_empty())
        {
            return;
        }
        for script in cx.scripts() {
            for cmd in &script.commands {
                let Some(a) = Args::of(cmd) else { continue };
                let words = match a.program() {
                    "composer" | "composer.phar" => a.words,
                    p if p.starts_with("php") => match a.words.split_first() {
                        Some((f, rest)) if base(&f.value).starts_with("composer") => rest,
                        _ => continue,
                    },
                    _ => continue,
                };
                let Some(sub) = words.iter().find(|w| !w.value.starts_with('-')) else {
                    continue;
                };
                if !matches!(sub.value.as_str(), "install" | "i") {
                    continue;
                }
                if words.iter().any(|w| w.value == "--no-scripts") {
                    continue;
                }
                let copy = cx
                    .instruction(later.instruction)
                    .map(|i| i.head_span(cx.text()));
                let mut r = cx
                    .report(
                        sub.span,
                        "`composer install` runs scripts before the application source is copied",
                    )
                    .help("add `--no-scripts --no-autoloader`, then run `composer dump-autoload --optimize` after the source is copied");
                if let Some(c) = copy {
                    r = r.label(c, "the source arrives here");
                }
                let _ = r;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_in_a_dependency_layer() {
        fires(
            "IL3405",
            "FROM php:8.3-fpm\nCOPY --from=composer:2 /usr/bin/composer /usr/bin/composer\nWORKDIR /var/www\nCOPY composer.json composer.lock ./\nRUN composer install --no-dev --prefer-dist\nCOPY . .\n",
            &[
                "5:14 IL3405 `composer install` runs scripts before the application source is copied",
            ],
        );
        assert_eq!(
            spans(
                "IL3405",
                "FROM php:8.3 AS base\nCOPY composer.* ./\nFROM base\nRUN <<EOF\nphp /usr/local/bin/composer.phar install\nEOF\nCOPY . .\n"
            ),
            ["install"]
        );
        assert_eq!(
            spans(
                "IL3405",
                "FROM composer:2\nCOPY composer.json composer.lock ./\nRUN composer \\\n    # production\n    install --no-dev\nCOPY ./ /app/\n"
            ),
            ["install"]
        );
    }

    #[test]
    fn passes_otherwise() {
        for text in [
            "FROM composer:2\nCOPY composer.json composer.lock ./\nRUN composer install --no-scripts --no-autoloader\nCOPY . .\nRUN composer dump-autoload --optimize\n",
            "FROM composer:2\nCOPY . .\nRUN composer install --no-dev\n",
            "FROM composer:2\nCOPY composer.json composer.lock ./\nRUN composer install\nCOPY src src\n",
            "FROM composer:2\nRUN composer install\nCOPY . .\n",
            "FROM composer:2\nCOPY composer.json composer.lock ./\nRUN composer install\n",
            "FROM composer:2 AS vendor\nCOPY composer.json composer.lock ./\nRUN composer install\nFROM php:8.3\nCOPY . .\n",
            "FROM composer:2\nCOPY composer.json ./\nONBUILD RUN composer install\nCOPY . .\n",
        ] {
            passes("IL3405", text);
        }
    }
}
