use super::lang::caches::cache_mounts;
use crate::fix::{Edit, Fix};
use crate::graph::Base;
use crate::rules::*;
use crate::shell::args::Args as ShellArgs;
use crate::syntax::{Instruction, Kind};

/// IL3207
pub struct CacheMountNotOwnedByUser;

const META: Meta = Meta {
    code: "IL3207",
    name: "cache-mount-not-owned-by-user",
    aliases: &[],
    severity: Severity::Warning,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A cache mount is created for root while the `RUN` runs as another user",
    doc: include_str!("../../../rules/cache-mount-not-owned-by-user.md"),
    target: Target::Dockerfile,
};

/// Users that common images define, with their ids.
fn image_user(base: &str, name: &str) -> Option<(u32, Option<u32>)> {
    match (base, name) {
        ("node", "node") => Some((1000, Some(1000))),
        (_, "nonroot") => Some((65532, Some(65532))),
        (b, "app") if b.starts_with("mcr.microsoft.com/dotnet/") => Some((1654, Some(1654))),
        _ => None,
    }
}

/// The numeric ids of `user` (`name`, `name:group`, `uid`, `uid:gid`):
/// numbers as written, names from an earlier `useradd`/`adduser -u` and
/// `groupadd`/`addgroup -g` in the stage chain, or the base image.
fn resolve_ids(cx: &Context<'_>, index: usize, user: &str) -> Option<(u32, Option<u32>)> {
    let (name, group) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let gid_of = |g: &str| g.parse::<u32>().ok();
    if let Ok(uid) = name.parse::<u32>() {
        return Some((uid, group.and_then(gid_of)));
    }
    let build = cx.build();
    let stage = build.state(index)?.stage;
    let mut uid = None;
    let mut gid = group.and_then(gid_of);
    let group_name = group.unwrap_or(name);
    for si in build.chain(stage) {
        for i in build.stages.get(si)?.instructions().filter(|&i| i < index) {
            for cmd in cx.scripts_of(i).iter().flat_map(|s| s.commands.iter()) {
                let Some(a) = ShellArgs::of(cmd) else {
                    continue;
                };
                let prog = a.program();
                let ops = a.operands(&[
                    "-u",
                    "--uid",
                    "-g",
                    "--gid",
                    "-G",
                    "--groups",
                    "-s",
                    "--shell",
                    "-h",
                    "--home",
                    "-d",
                    "--home-dir",
                    "-c",
                    "--comment",
                    "-k",
                    "-K",
                    "-p",
                    "-e",
                    "-f",
                ]);
                let named = ops.last().is_some_and(|w| w.value == name);
                let named_group = ops.last().is_some_and(|w| w.value == group_name);
                match prog {
                    "useradd" | "adduser" if named => {
                        uid = uid.or(a.value(&['u'], &["uid"]).and_then(|v| v.parse().ok()));
                        if gid.is_none()
                            && let Some(g) = a.value(&['g', 'G'], &["gid"]).and_then(gid_of)
                        {
                            gid = Some(g);
                        }
                    }
                    "groupadd" | "addgroup" if named_group && gid.is_none() => {
                        gid = a.value(&['g'], &["gid"]).and_then(gid_of);
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(u) = uid {
        return Some((u, gid));
    }
    let base = match build.root_base(stage)? {
        Base::Image(r) => r.name(),
        _ => return None,
    };
    image_user(&base, name)
}

impl Rule for CacheMountNotOwnedByUser {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn kinds(&self) -> &'static [Kind] {
        &[Kind::Run]
    }

    fn check_instruction(&self, cx: &mut Context<'_>, ins: &Instruction) {
        if cx.in_onbuild() {
            return;
        }
        let Some(index) = cx.instruction_index() else {
            return;
        };
        let Some(user) = cx.state().and_then(|s| s.user.as_deref()) else {
            return;
        };
        let user = user.trim();
        let name = user.split(':').next().unwrap_or("");
        if matches!(name, "" | "root" | "0") || user.contains('$') {
            return;
        }
        // commands run through `sudo` act as root
        if cx
            .scripts()
            .iter()
            .flat_map(|s| s.commands.iter())
            .any(|c| c.is("sudo") || c.is("doas"))
        {
            return;
        }
        let mounts: Vec<_> = cache_mounts(cx, ins, index)
            .into_iter()
            .filter(|m| m.mount.option(&["uid", "mode"]).is_none())
            .collect();
        let Some(first) = mounts.first() else { return };
        let ids = resolve_ids(cx, index, user);
        let flags = &ins.flags;
        let fix = ids.and_then(|(uid, gid)| {
            let add = match gid {
                Some(g) => format!(",uid={uid},gid={g}"),
                None => format!(",uid={uid}"),
            };
            let edits: Option<Vec<Edit>> = mounts
                .iter()
                .map(|m| {
                    let f = flags.iter().find(|f| f.span == m.span)?;
                    let vs = f.value_span?;
                    (vs.len() == f.value_or_empty().len())
                        .then(|| Edit::insert(vs.end, add.clone()))
                })
                .collect();
            edits.map(|e| Fix::unsafe_("create the cache for the user", e))
        });
        cx.report(
            first.span,
            format!(
                "the cache at `{}` is created for root, but this `RUN` runs as `{name}`",
                first.target
            ),
        )
        .help("add `uid=` (and `gid=`) with the user's ids to the cache mount")
        .maybe_fix(fix)
        .label_each(
            mounts.iter().skip(1).map(|s| s.span),
            "also created for root",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    #[test]
    fn fires_after_a_non_root_user() {
        fires(
            "IL3207",
            "FROM node:22\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm npm ci\n",
            &[
                "3:5 IL3207 the cache at `/home/node/.npm` is created for root, but this `RUN` runs as `node`",
            ],
        );
    }

    #[test]
    fn passes_as_root_or_with_owner_options() {
        for text in [
            "FROM node:22\nRUN --mount=type=cache,target=/root/.npm npm ci\n",
            "FROM node:22\nUSER root\nRUN --mount=type=cache,target=/root/.npm npm ci\n",
            "FROM node:22\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 npm ci\n",
            "FROM node:22\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm,mode=0777 npm ci\n",
            "FROM node:22\nUSER node\nRUN npm ci\n",
            "FROM debian:12\nUSER app\nRUN --mount=type=cache,target=/var/cache/apt sudo apt-get update\n",
        ] {
            passes("IL3207", text);
        }
    }

    #[test]
    fn fix_uses_the_users_ids() {
        assert_eq!(
            fixed(
                "IL3207",
                "FROM node:22\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm npm ci\n",
                Applicability::Unsafe
            ),
            "FROM node:22\nUSER node\nRUN --mount=type=cache,target=/home/node/.npm,uid=1000,gid=1000 npm ci\n"
        );
        assert_eq!(
            fixed(
                "IL3207",
                "FROM debian:12\nRUN groupadd -g 2000 app && useradd -u 2001 -g app app\nUSER app\nRUN --mount=type=cache,target=/home/app/.cache/pip pip install -r r.txt\n",
                Applicability::Unsafe
            ),
            "FROM debian:12\nRUN groupadd -g 2000 app && useradd -u 2001 -g app app\nUSER app\nRUN --mount=type=cache,target=/home/app/.cache/pip,uid=2001,gid=2000 pip install -r r.txt\n"
        );
        assert_eq!(
            fixed(
                "IL3207",
                "FROM debian:12\nUSER 1000:1000\nRUN --mount=type=cache,target=/tmp/cache make\n",
                Applicability::Unsafe
            ),
            "FROM debian:12\nUSER 1000:1000\nRUN --mount=type=cache,target=/tmp/cache,uid=1000,gid=1000 make\n"
        );
        // an unknown user: the ids are left to the user
        let text =
            "FROM debian:12\nUSER app\nRUN --mount=type=cache,target=/home/app/.cache make\n";
        assert_eq!(fixed("IL3207", text, Applicability::Unsafe), text);
    }
}
