//! A secret recorded in the image history.

use super::secrets::{find_secret_in_text, is_secret_variable};
use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};

pub const META: Meta = Meta {
    code: "IL7004",
    name: "secret-in-history",
    aliases: &["CIS-DI-0010"],
    severity: Severity::Error,
    category: Category::Security,
    summary: "The image history records a secret",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/secret-in-history.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "use `RUN --mount=type=secret` for build secrets; `ARG` and `ENV` values are stored in the image";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (h, entry) in cx.config.history.iter().enumerate() {
        let ins = entry.instruction();
        let mut reason = None;
        if let Some((name, _)) = ins
            .build_args
            .iter()
            .find(|(k, v)| is_secret_variable(k, v))
        {
            reason = Some(format!("build argument `{name}`"));
        }
        if reason.is_none() && ins.keyword == "ENV" {
            // variables still in the config are reported by `secret-in-env`
            for (name, value) in env_pairs(&ins.text) {
                let in_config = cx.config.env.iter().any(|(k, v)| *k == name && *v == value);
                if !in_config && is_secret_variable(&name, &value) {
                    reason = Some(format!("variable `{name}`"));
                    break;
                }
            }
        }
        if reason.is_none() && ins.keyword != "ENV" {
            reason = find_secret_in_text(&ins.text).map(str::to_string);
        }
        if let Some(reason) = reason {
            let mut f =
                Finding::new(&META, format!("history entry {h} records {reason}")).history(h);
            if let Some(layer) = cx.layer_of_history(h) {
                f = f.layer(layer);
            }
            out.push(f);
        }
    }
}

/// `K=V K2="V 2"` or the legacy `K V` form.
fn env_pairs(text: &str) -> Vec<(String, String)> {
    let text = text.trim();
    if !text.contains('=') {
        return match text.split_once(char::is_whitespace) {
            Some((k, v)) => vec![(k.to_string(), v.trim().to_string())],
            None => Vec::new(),
        };
    }
    text.split_whitespace()
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn fires_on_build_args_env_and_tokens() {
        let img = TestImage::new()
            .layer("RUN |1 NPM_TOKEN=abc123 /bin/sh -c npm ci # buildkit")
            .empty_history("/bin/sh -c #(nop)  ENV API_KEY=zzz")
            .layer("/bin/sh -c curl -u x https://bob:pa55@example.com/a.tgz | tar x")
            .empty_history("ENV OTHER=AKIAIOSFODNN7EXAMPLE # buildkit");
        let f = img.run(check);
        assert_eq!(
            messages(&f),
            [
                "history entry 1 records build argument `NPM_TOKEN`",
                "history entry 2 records variable `API_KEY`",
                "history entry 3 records credentials in a URL",
                "history entry 4 records variable `OTHER`",
            ]
        );
        assert_eq!(f.first().and_then(|f| f.subject.layer), Some(1));
        assert_eq!(f.get(2).and_then(|f| f.subject.layer), Some(2));
    }

    #[test]
    fn quiet_on_clean_history_and_env_still_in_config() {
        let img = TestImage::new()
            .layer("RUN |1 VERSION=1.2 /bin/sh -c make # buildkit")
            .empty_history("/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter2")
            .layer("/bin/sh -c docker login --password-stdin registry")
            .config(|c| c.env = vec![("DB_PASSWORD".into(), "hunter2".into())]);
        assert!(img.run(check).is_empty());
    }
}
