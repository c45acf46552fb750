use super::lang::caches::cache_mounts;
use crate::fix::{Edit, Fix};
use crate::rules::*;
use crate::shell::cache::covers;
use crate::source::Span;
use crate::syntax::{Instruction, Kind};

/// IL3205
pub struct AptCacheMountUnlocked;

const META: Meta = Meta {
    code: "IL3205",
    name: "apt-cache-mount-unlocked",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Always,
    default_enabled: true,
    summary: "A package manager's cache mount is shared between concurrent builds without a lock",
    doc: include_str!("../../../rules/apt-cache-mount-unlocked.md"),
    target: Target::Dockerfile,
};

/// Package manager caches that hold a lock file, and the manager.
const LOCKED_CACHES: &[(&str, &str)] = &[
    ("/var/cache/apt", "apt"),
    ("/var/lib/apt", "apt"),
    ("/var/cache/dnf", "dnf"),
    ("/var/cache/libdnf5", "dnf"),
    ("/var/cache/yum", "yum"),
    ("/var/cache/zypp", "zypper"),
];

/// The manager whose locked cache a mount target holds (the directory, a
/// directory in it, or `/var/cache`).
fn manager(target: &str) -> Option<&'static str> {
    let t = target.trim_end_matches('/');
    LOCKED_CACHES.iter().find_map(|(dir, name)| {
        (covers(t, &[dir]) || t.starts_with(&format!("{dir}/"))).then_some(*name)
    })
}

impl Rule for AptCacheMountUnlocked {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        let Some(index) = cx.instruction_index() else {
            return;
        };
        let text = cx.text();
        let mut hits: Vec<(Span, String, &'static str, Option<Edit>)> = Vec::new();
        for m in cache_mounts(cx, ins, index) {
            let Some(name) = manager(&m.target) else {
                continue;
            };
            let sharing = m.mount.option(&["sharing"]);
            let edit = match sharing {
                Some(o) if matches!(o.value.as_deref(), Some("locked" | "private")) => continue,
                Some(o) => {
                    // `sharing=shared`: replace the value
                    let t = o.span.text(text);
                    t.strip_prefix("sharing=")
                        .map(|_| Edit::replace(o.span, "sharing=locked"))
                }
                None => {
                    let flag = ins
                        .onbuild_body()
                        .unwrap_or(ins)
                        .flags
                        .iter()
                        .find(|f| f.span == m.span);
                    flag.and_then(|f| {
                        let vs = f.value_span?;
                        let exact = vs.len() == f.value_or_empty().len();
                        exact.then(|| Edit::insert(vs.end, ",sharing=locked"))
                    })
                }
            };
            hits.push((m.span, m.target.clone(), name, edit));
        }
        let Some((span, target, name, _)) = hits.first() else {
            return;
        };
        let edits: Option<Vec<Edit>> = hits.iter().map(|h| h.3.clone()).collect();
        let mut r = cx
            .report(
                *span,
                format!("the {name} cache at `{target}` is shared without a lock: parallel builds collide"),
            )
            .help("add `sharing=locked` so concurrent builds wait for each other")
            .maybe_fix(edits.map(|e| Fix::safe("add `sharing=locked`", e)));
        for h in hits.iter().skip(1) {
            r = r.label(h.0, "shared without a lock too");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_without_a_lock() {
        fires(
            "IL3205",
            "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt apt-get update\n",
            &[
                "2:5 IL3205 the apt cache at `/var/cache/apt` is shared without a lock: parallel builds collide",
            ],
        );
        fires(
            "IL3205",
            "FROM fedora:40\nRUN --mount=type=cache,target=/var/cache/dnf,sharing=shared dnf install -y git\n",
            &[
                "2:5 IL3205 the dnf cache at `/var/cache/dnf` is shared without a lock: parallel builds collide",
            ],
        );
    }

    #[test]
    fn passes_with_locked_or_private_sharing_and_other_caches() {
        for mount in [
            "type=cache,target=/var/cache/apt,sharing=locked",
            "type=cache,target=/var/lib/apt,sharing=private",
            "type=cache,target=/root/.npm",
            "type=cache,target=/var/cache/apk",
            "type=tmpfs,target=/var/lib/apt/lists",
        ] {
            passes(
                "IL3205",
                &format!("FROM debian:12\nRUN --mount={mount} apt-get update\n"),
            );
        }
    }

    #[test]
    fn one_finding_per_instruction_and_onbuild() {
        let f = findings(
            "IL3205",
            "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt \\\n  --mount=type=cache,target=/var/lib/apt/lists \\\n  apt-get update\n",
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].labels.len(), 1);
        fires(
            "IL3205",
            "FROM debian:12\nONBUILD RUN --mount=type=cache,target=/var/lib/apt apt-get update\n",
            &[
                "2:13 IL3205 the apt cache at `/var/lib/apt` is shared without a lock: parallel builds collide",
            ],
        );
    }

    #[test]
    fn fix_adds_sharing_locked() {
        assert_eq!(
            fixed(
                "IL3205",
                "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt \\\n  --mount=type=cache,target=/var/lib/apt,sharing=shared \\\n  apt-get update\n",
                Applicability::Safe
            ),
            "FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n  --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n  apt-get update\n"
        );
    }
}
