use super::final_image::root_image;
use crate::rules::*;
use crate::shell::args::Args;
use crate::size::system::ruby_major;
use crate::syntax::{Instruction, Kind};

/// IL3404
pub struct BundlerRemovedInstallFlag;

const META: Meta = Meta {
    code: "IL3404",
    name: "bundler-removed-install-flag",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "`bundle install` with a remembered flag that Bundler deprecated and Bundler 4 removes",
    doc: include_str!("../../../rules/bundler-removed-install-flag.md"),
    target: Target::Dockerfile,
};

/// The remembered flags and the setting that replaces each.
const FLAGS: &[(&str, &str)] = &[
    ("deployment", "BUNDLE_DEPLOYMENT=1"),
    ("frozen", "BUNDLE_FROZEN=1"),
    ("path", "BUNDLE_PATH=<dir>"),
    ("without", "BUNDLE_WITHOUT=<groups>"),
    ("with", "BUNDLE_WITH=<groups>"),
    ("clean", "BUNDLE_CLEAN=1"),
    ("system", "BUNDLE_PATH__SYSTEM=1"),
    ("binstubs", "BUNDLE_BIN=<dir>"),
];

impl Rule for BundlerRemovedInstallFlag {
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
                if !matches!(a.program(), "bundle" | "bundler") {
                    continue;
                }
                // the subcommand is the first word that is not an option
                let Some(sub) = a.words.iter().position(|w| !w.value.starts_with('-')) else {
                    continue;
                };
                if a.words[sub].value != "install" {
                    continue;
                }
                for w in &a.words[sub + 1..] {
                    let Some(long) = w.value.strip_prefix("--") else {
                        continue;
                    };
                    let name = long.split('=').next().unwrap_or(long);
                    if let Some((flag, setting)) = FLAGS.iter().find(|(f, _)| *f == name) {
                        hits.push((w.span, *flag, *setting));
                    }
                }
            }
        }
        let Some(&(at, flag, setting)) = hits.first() else {
            return;
        };
        // Ruby 4 images ship Bundler 4, which rejects these flags
        let bundler4 = !cx.in_onbuild()
            && cx
                .state()
                .and_then(|s| root_image(cx.build(), s.stage))
                .and_then(|r| ruby_major(&r))
                .is_some_and(|v| v >= 4);
        let mut r = cx
            .report(
                at,
                format!("`--{flag}` is a deprecated `bundle install` flag that Bundler 4 drops"),
            )
            .help(format!(
                "set `{setting}` with `ENV` (or `bundle config set --local`) instead of the flag"
            ));
        if bundler4 {
            r = r.severity(Severity::Error);
        }
        for &(span, flag, setting) in hits.iter().skip(1) {
            r = r.label(span, format!("`--{flag}`: use `{setting}`"));
        }
        let _ = r;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::Severity;
    use crate::rules::test::*;

    #[test]
    fn fires_for_remembered_flags() {
        fires(
            "IL3404",
            "FROM ruby:3.3\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install --jobs 4 --deployment \\\n    # no test gems\n    --without test development\n",
            &[
                "3:29 IL3404 `--deployment` is a deprecated `bundle install` flag that Bundler 4 drops",
            ],
        );
        assert_eq!(
            spans(
                "IL3404",
                "FROM ruby:3.3\nRUN sudo -u app bundle install --path=vendor/bundle\n"
            ),
            ["--path=vendor/bundle"]
        );
        assert_eq!(
            spans(
                "IL3404",
                "FROM ruby:3.3\nRUN <<EOF\nbundle install --frozen\nEOF\n"
            ),
            ["--frozen"]
        );
        assert_eq!(
            spans(
                "IL3404",
                "FROM ruby:3.3\nONBUILD RUN bundle install --clean\n"
            ),
            ["--clean"]
        );
        // an error on Ruby 4, which ships Bundler 4
        let f = findings(
            "IL3404",
            "FROM ruby:4.0-slim\nRUN bundle install --frozen\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Error);
        let f = findings(
            "IL3404",
            "FROM ruby:3.4-slim\nRUN bundle install --frozen\n",
        );
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn passes_for_other_flags_and_settings() {
        passes(
            "IL3404",
            "FROM ruby:3.3\nENV BUNDLE_DEPLOYMENT=1 BUNDLE_WITHOUT=development\nRUN bundle config set --local path vendor/bundle && bundle install --jobs 4 --retry 3 --local --gemfile Gemfile\n",
        );
        passes(
            "IL3404",
            "FROM ruby:3.3\nRUN gem install bundler --without-docs\n",
        );
        passes("IL3404", "FROM ruby:3.3\nRUN bundle exec rake --path x\n");
    }
}
