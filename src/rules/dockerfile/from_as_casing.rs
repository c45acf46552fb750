use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};

/// IL1006
pub struct FromAsCasing;

const META: Meta = Meta {
    code: "IL1006",
    name: "from-as-casing",
    aliases: &["FromAsCasing"],
    severity: Severity::Style,
    category: Category::Style,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "The `AS` of a `FROM` cased unlike its `FROM`",
    doc: include_str!("../../../rules/from-as-casing.md"),
    target: Target::Dockerfile,
};

impl Rule for FromAsCasing {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::From]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::From(from) = &ins.args else {
            return;
        };
        let Some(word) = &from.as_keyword else {
            return;
        };
        let kw = ins.keyword.text.as_str();
        let as_ = word.text.as_str();
        if !as_.eq_ignore_ascii_case("as") {
            return;
        }
        // a mixed-case `FROM` is instruction-casing's to report
        let wanted = if kw == kw.to_lowercase() {
            "as"
        } else if kw == kw.to_uppercase() {
            "AS"
        } else {
            return;
        };
        if as_ == wanted {
            return;
        }
        cx.report(
            word.span,
            format!("`{as_}` does not match the casing of `{kw}`"),
        )
        .help(format!("write `{kw} … {wanted} …`"))
        .fix(Fix::safe(
            format!("write `{wanted}`"),
            vec![Edit::replace(word.span, wanted)],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_when_the_cases_differ() {
        fires(
            "IL1006",
            "FROM golang:1.23 as build\n",
            &["1:18 IL1006 `as` does not match the casing of `FROM`"],
        );
        fires(
            "IL1006",
            "from golang:1.23 AS build\n",
            &["1:18 IL1006 `AS` does not match the casing of `from`"],
        );
        fires(
            "IL1006",
            "FROM golang:1.23 As build\n",
            &["1:18 IL1006 `As` does not match the casing of `FROM`"],
        );
    }

    #[test]
    fn fixes_the_as() {
        assert_eq!(
            fixed(
                "IL1006",
                "FROM golang:1.23 as build\nfrom build as test\n",
                Applicability::Safe
            ),
            "FROM golang:1.23 AS build\nfrom build as test\n"
        );
    }

    #[test]
    fn passes_for_matching_or_mixed_from() {
        passes("IL1006", "FROM a AS b\nfrom c as d\nFrom e as f\nFROM g\n");
    }
}
