use super::built_programs::{first_source_span, stage_copies, trees};
use super::final_image::{root_base_span, root_image};
use crate::graph::Build;
use crate::rules::*;
use crate::size::system::{Libc, libc};

/// IL5304
pub struct NativeDepsCopiedAcrossLibc;

const META: Meta = Meta {
    code: "IL5304",
    name: "native-deps-copied-across-libc",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::None,
    default_enabled: true,
    summary: "Installed packages are copied between images with different C libraries: native modules fail to load",
    doc: include_str!("../../../rules/native-deps-copied-across-libc.md"),
    target: Target::Dockerfile,
};

impl Rule for NativeDepsCopiedAcrossLibc {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        for sc in stage_copies(build) {
            let (Some(runtime_libc), Some(builder)) =
                (libc(&sc.runtime), root_image(build, sc.from))
            else {
                continue;
            };
            let Some(builder_libc) = libc(&builder) else {
                continue;
            };
            if builder_libc == runtime_libc || builder_libc == Libc::None {
                continue;
            }
            let found = trees(cx, build, sc.from, sc.copy);
            let Some(tree) = found.first() else { continue };
            let Some(at) = cx.instruction(sc.copy.instruction).map(first_source_span) else {
                continue;
            };
            let builder_at = root_base_span(build, sc.from);
            let base_at = root_base_span(build, sc.stage);
            let runtime_has = match runtime_libc {
                Libc::None => "an image without a C library".to_string(),
                l => format!("a {} image", l.name()),
            };
            let mut r = cx
                .report(
                    at,
                    format!(
                        "{} installed on {} is copied into {runtime_has}",
                        tree.name(),
                        builder_libc.name()
                    ),
                )
                .help("install the packages in a stage built on the runtime's image family, or use a runtime with the builder's C library");
            if let Some(span) = builder_at {
                r = r.label(
                    span,
                    format!("`{}` has {}", builder.original, builder_libc.name()),
                );
            }
            if let Some(span) = base_at {
                r = r.label(
                    span,
                    format!("`{}` has {}", sc.runtime.original, runtime_libc.name()),
                );
            }
            let _ = r;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test::*;

    #[test]
    fn fires_for_node_modules_from_alpine_to_debian() {
        fires(
            "IL5304",
            "FROM node:22-alpine AS deps\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci --omit=dev\nFROM node:22-slim\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
            &["7:18 IL5304 `node_modules` installed on musl is copied into a glibc image"],
        );
        // the whole working directory holds node_modules
        assert_eq!(
            spans(
                "IL5304",
                "FROM node:22 AS build\nWORKDIR /app\nRUN npm ci\nFROM node:22-alpine\nCOPY --from=build /app /app\n"
            ),
            ["/app"]
        );
    }

    #[test]
    fn fires_for_python_environments() {
        fires(
            "IL5304",
            "FROM python:3.12 AS build\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt\nFROM python:3.12-alpine\nCOPY --from=build /opt/venv /opt/venv\n",
            &["4:19 IL5304 a Python environment installed on glibc is copied into a musl image"],
        );
        assert_eq!(
            spans(
                "IL5304",
                "FROM python:3.12-slim AS build\nRUN pip install --prefix=/install -r requirements.txt\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /install /usr/local\n"
            ),
            ["/install"]
        );
    }

    #[test]
    fn passes_on_the_same_libc() {
        passes(
            "IL5304",
            "FROM node:22-alpine AS deps\nWORKDIR /app\nRUN npm ci\nFROM alpine:3.20\nCOPY --from=deps /app/node_modules /app/node_modules\n",
        );
        passes(
            "IL5304",
            "FROM python:3.12 AS build\nRUN python -m venv /opt/venv\nFROM python:3.12-slim\nCOPY --from=build /opt/venv /opt/venv\n",
        );
        // build output only
        passes(
            "IL5304",
            "FROM node:22 AS build\nWORKDIR /app\nRUN npm ci && npm run build\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
        );
    }
}
