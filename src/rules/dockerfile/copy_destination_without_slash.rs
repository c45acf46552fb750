use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};

/// DL3021
pub struct CopyDestinationWithoutSlash;

const META: Meta = Meta {
    code: "DL3021",
    name: "copy-destination-without-slash",
    aliases: &["DS-0011", "DS011", "docker-use-slash-for-copy-args"],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "`COPY` with several sources to a destination that does not end in `/`",
    doc: include_str!("../../../rules/copy-destination-without-slash.md"),
    target: Target::Dockerfile,
};

impl Rule for CopyDestinationWithoutSlash {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Copy, Kind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::Paths(paths) = &ins.args else {
            return;
        };
        let Some((dest, sources)) = paths.words.split_last() else {
            return;
        };
        if sources.len() < 2 {
            return;
        }
        let Some(i) = cx.instruction_index() else {
            return;
        };
        let windows = cx.build().stage_of(i).is_some_and(|s| s.windows);
        let value = if paths.json {
            dest.text.clone()
        } else {
            cx.expand_at(i, &dest.text)
        };
        // BuildKit takes `.` (the working directory) as a directory too
        if value.ends_with('/') || value == "." || (windows && value.ends_with('\\')) {
            return;
        }
        let fix = slash_edit(cx.text(), dest, paths.json)
            .map(|edit| Fix::unsafe_("add a trailing `/` to the destination", vec![edit]));
        cx.report(
            dest.span,
            format!(
                "`{}` copies {} sources to `{value}`, which does not end in `/`",
                ins.kind,
                sources.len()
            ),
        )
        .help("end the destination with `/` so it is a directory")
        .maybe_fix(fix);
    }
}

/// Inserts `/` at the end of the destination word, inside its quotes.
fn slash_edit(text: &str, dest: &crate::syntax::Word, json: bool) -> Option<Edit> {
    let written = dest.span.text(text);
    if written.is_empty() {
        return None;
    }
    let quoted = written.len() >= 2
        && (written.ends_with('"') || (!json && written.ends_with('\'')))
        && written.starts_with(&written[written.len() - 1..]);
    if json && !quoted {
        return None;
    }
    let at = if quoted {
        dest.span.end - 1
    } else {
        dest.span.end
    };
    Some(Edit::insert(at, "/"))
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_several_sources_to_a_file_path() {
        fires(
            "DL3021",
            "FROM alpine\nCOPY a \\\n  b /app\n",
            &["3:5 DL3021 `COPY` copies 2 sources to `/app`, which does not end in `/`"],
        );
        fires(
            "DL3021",
            "FROM alpine\nADD [\"a\", \"b\", \"c\", \"/app\"]\n",
            &["2:21 DL3021 `ADD` copies 3 sources to `/app`, which does not end in `/`"],
        );
        // a variable whose value nobody knows from the Dockerfile
        fires(
            "DL3021",
            "FROM alpine\nCOPY run*.sh *.sql $HOME\n",
            &["2:20 DL3021 `COPY` copies 2 sources to `$HOME`, which does not end in `/`"],
        );
        fires(
            "DL3021",
            "FROM alpine\nONBUILD COPY a b dest\n",
            &["2:18 DL3021 `COPY` copies 2 sources to `dest`, which does not end in `/`"],
        );
    }

    #[test]
    fn passes_on_directories() {
        for copy in [
            "COPY a b /app/",
            "COPY a b .",
            "COPY a b ./",
            "COPY a /app",
            "COPY --from=build /a /b \"/quoted/\"",
            "COPY <<a <<b /dir/\nx\na\ny\nb",
        ] {
            passes("DL3021", &format!("FROM alpine\n{copy}\n"));
        }
        passes("DL3021", "FROM alpine\nARG DEST=/app/\nCOPY a b $DEST\n");
    }

    #[test]
    fn fix_adds_the_slash() {
        assert_eq!(
            fixed(
                "DL3021",
                "FROM alpine\nCOPY a b /app\nCOPY c d \"/xy\"\nCOPY [\"e\", \"f\", \"/z\"]\n",
                Applicability::Unsafe
            ),
            "FROM alpine\nCOPY a b /app/\nCOPY c d \"/xy/\"\nCOPY [\"e\", \"f\", \"/z/\"]\n"
        );
        let text = "FROM alpine\nCOPY a b /app\n";
        assert_eq!(fixed("DL3021", text, Applicability::Safe), text);
    }
}
