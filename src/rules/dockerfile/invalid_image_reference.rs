use crate::graph::{Base, Build};
use crate::rules::*;

/// IL2004
pub struct InvalidImageReference;

const META: Meta = Meta {
    code: "IL2004",
    name: "invalid-image-reference",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A `FROM` image that is not a valid reference: the build fails",
    doc: include_str!("../../../rules/invalid-image-reference.md"),
    target: Target::Dockerfile,
};

impl Rule for InvalidImageReference {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for stage in &build.stages {
            let (Base::Invalid { text, reason }, Some(span)) = (&stage.base, stage.base_span)
            else {
                continue;
            };
            let written = span.text(cx.text());
            if written.contains('$') || text.is_empty() {
                continue;
            }
            // repository names are lowercase; tag and digest keep their case
            let (rest, digest) = match text.find('@') {
                Some(i) => (&text[..i], &text[i..]),
                None => (text.as_str(), ""),
            };
            let slash = rest.rfind('/').map_or(0, |i| i + 1);
            let (name, tag) = match rest[slash..].rfind(':') {
                Some(i) => (&rest[..slash + i], &rest[slash + i..]),
                None => (rest, ""),
            };
            let lower = format!("{}{tag}{digest}", name.to_ascii_lowercase());
            let fix = (lower != *text
                && crate::graph::ImageRef::parse(&lower).is_ok()
                && written == text)
                .then(|| {
                    crate::fix::Fix::unsafe_(
                        format!("write `{lower}`"),
                        vec![crate::fix::Edit::replace(span, lower.clone())],
                    )
                });
            let help = if fix.is_some() {
                format!("{reason}; repository names are lowercase: `{lower}`")
            } else {
                format!("{reason}; write `[registry/]repository[:tag][@digest]`")
            };
            cx.report(span, format!("`{text}` is not a valid image reference"))
                .help(help)
                .maybe_fix(fix);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_invalid_references() {
        fires(
            "IL2004",
            "FROM Ubuntu:22.04\n",
            &["1:6 IL2004 `Ubuntu:22.04` is not a valid image reference"],
        );
        fires(
            "IL2004",
            "FROM alpine:3.20:x\n",
            &["1:6 IL2004 `alpine:3.20:x` is not a valid image reference"],
        );
        assert_eq!(
            fixed(
                "IL2004",
                "FROM MyOrg/App:Latest-RC\n",
                Applicability::Unsafe
            ),
            "FROM myorg/app:Latest-RC\n"
        );
    }

    #[test]
    fn passes_for_valid_references_stages_and_variables() {
        passes(
            "IL2004",
            "FROM localhost:5000/a/b:c@sha256:0123456789012345678901234567890123456789012345678901234567890123 AS Build\nFROM build\nFROM scratch\nARG X\nFROM ${X}\n",
        );
    }
}
