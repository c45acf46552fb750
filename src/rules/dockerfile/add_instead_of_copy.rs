use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::syntax::{Args, Instruction, Kind};

/// DL3020
pub struct AddInsteadOfCopy;

const META: Meta = Meta {
    code: "DL3020",
    name: "add-instead-of-copy",
    aliases: &[
        "DS-0005",
        "DS005",
        "docker-use-copy-over-add",
        "CKV_DOCKER_4",
        "CIS-DI-0009",
    ],
    severity: Severity::Error,
    category: Category::Security,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "`ADD` copies local files, which `COPY` does without surprises",
    doc: include_str!("../../../rules/add-instead-of-copy.md"),
    target: Target::Dockerfile,
};

/// Endings of files `ADD` unpacks (tar, possibly compressed).
const ARCHIVE_ENDINGS: &[&str] = &[
    ".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
    ".tpz", ".txz", ".xz", ".zst", ".tzst",
];

/// What `ADD` does with one source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// A URL or a Git repository: `ADD` downloads it.
    Remote,
    /// A local archive: `ADD` unpacks it.
    Archive,
    /// A variable nobody can know from the Dockerfile.
    Unknown,
    /// A local file or directory (or a heredoc): `COPY` does the same.
    Local,
}

fn classify(source: &str) -> Source {
    let s = source.trim_matches(['"', '\'']);
    let lower = s.to_ascii_lowercase();
    if ["http://", "https://", "git@", "git://", "ssh://"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        Source::Remote
    } else if s.contains('$') {
        Source::Unknown
    } else if ARCHIVE_ENDINGS.iter().any(|e| s.ends_with(e)) {
        Source::Archive
    } else {
        Source::Local
    }
}

/// Flags `COPY` accepts too.
const COPY_FLAGS: &[&str] = &["chown", "chmod", "link", "exclude", "parents"];

impl Rule for AddInsteadOfCopy {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Add]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Args::Paths(paths) = &ins.args else {
            return;
        };
        let Some((_, sources)) = paths.words.split_last() else {
            return;
        };
        let Some(i) = cx.instruction_index() else {
            return;
        };
        let mut local = Vec::new();
        let mut all_local = true;
        for w in sources {
            let value = if paths.json {
                w.text.clone()
            } else {
                cx.expand_at(i, &w.text)
            };
            match classify(&value) {
                Source::Local => local.push(w),
                _ => all_local = false,
            }
        }
        let Some(first) = local.first() else { return };
        // `ADD` flags that have no `COPY` equivalent show the intent
        let copy_flags_only = ins
            .flags
            .iter()
            .all(|f| COPY_FLAGS.contains(&f.name.as_str()));
        let fix = (all_local && copy_flags_only).then(|| {
            let copy = if ins.keyword.text.chars().all(|c| c.is_ascii_lowercase()) {
                "copy"
            } else {
                "COPY"
            };
            Fix::unsafe_("use `COPY`", vec![Edit::replace(ins.keyword.span, copy)])
        });
        let mut report = cx
            .report(
                ins.keyword.span,
                format!(
                    "`ADD` used for the local `{}`, where `COPY` is enough",
                    first.text
                ),
            )
            .help("use `COPY`; keep `ADD` for URLs, Git repositories and archives to unpack");
        for w in local.iter().skip(1) {
            report = report.label(w.span, "a local source too");
        }
        report.maybe_fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_on_local_sources() {
        fires(
            "DL3020",
            "FROM alpine\nADD app.py \\\n# the settings\n  config/ /app/\n",
            &["2:1 DL3020 `ADD` used for the local `app.py`, where `COPY` is enough"],
        );
        fires(
            "DL3020",
            "FROM alpine\nADD [\"a b.txt\", \"/x/\"]\nONBUILD ADD . /app\n",
            &[
                "2:1 DL3020 `ADD` used for the local `a b.txt`, where `COPY` is enough",
                "3:9 DL3020 `ADD` used for the local `.`, where `COPY` is enough",
            ],
        );
        // the variable holds a local path
        fires(
            "DL3020",
            "FROM alpine\nARG SRC=app.py\nADD $SRC /app/\n",
            &["3:1 DL3020 `ADD` used for the local `$SRC`, where `COPY` is enough"],
        );
        // a heredoc is local content too
        fires(
            "DL3020",
            "FROM alpine\nADD <<EOF /etc/motd\nhello\nEOF\n",
            &["2:1 DL3020 `ADD` used for the local `<<EOF`, where `COPY` is enough"],
        );
    }

    #[test]
    fn passes_on_urls_archives_and_unknown_variables() {
        for add in [
            "ADD https://example.com/a.txt /a",
            "ADD --checksum=sha256:abc http://example.com/a /a",
            "ADD git@github.com:moby/buildkit.git /src",
            "ADD rootfs.tar.gz /",
            "ADD \"files.tar\" /x/",
            "ADD $URL /app/",
            "ADD ${ARCHIVE} /",
        ] {
            passes("DL3020", &format!("FROM alpine\n{add}\n"));
        }
        passes(
            "DL3020",
            "FROM alpine\nARG URL=https://example.com/x\nADD ${URL} /x\n",
        );
    }

    #[test]
    fn fix_switches_to_copy_when_every_source_is_local() {
        assert_eq!(
            fixed(
                "DL3020",
                "FROM alpine\nADD --chown=1:1 a b /app/\nadd c /c\n",
                Applicability::Unsafe
            ),
            "FROM alpine\nCOPY --chown=1:1 a b /app/\ncopy c /c\n"
        );
        // an archive next to a local file: `COPY` would not unpack it
        let text = "FROM alpine\nADD rootfs.tar a.txt /\n";
        assert_eq!(fixed("DL3020", text, Applicability::Unsafe), text);
        // never safe: ADD unpacks archives recognised by content
        let text = "FROM alpine\nADD a /a\n";
        assert_eq!(fixed("DL3020", text, Applicability::Safe), text);
    }
}
