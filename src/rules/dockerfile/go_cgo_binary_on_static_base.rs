use super::built_programs::{Lang, Linking, shipped};
use crate::fix::{Edit, Fix};
use crate::graph::Build;
use crate::rules::*;
use crate::size::system::{Libc, libc};
use std::collections::BTreeSet;

/// IL5301
pub struct GoCgoBinaryOnStaticBase;

const META: Meta = Meta {
    code: "IL5301",
    name: "go-cgo-binary-on-static-base",
    aliases: &[],
    severity: Severity::Error,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A Go program built with cgo is copied onto an image without its C library: it cannot start",
    doc: include_str!("../../../rules/go-cgo-binary-on-static-base.md"),
    target: Target::Dockerfile,
};

impl Rule for GoCgoBinaryOnStaticBase {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let mut reported = BTreeSet::new();
        for sh in shipped(cx, build) {
            let p = &sh.program;
            let Some(runtime_libc) = libc(&sh.runtime) else {
                continue;
            };
            let fails = match p.linking {
                Linking::Glibc => matches!(runtime_libc, Libc::None | Libc::Musl),
                Linking::Musl => runtime_libc == Libc::None,
                _ => false,
            };
            if p.lang != Lang::Go || !fails || !reported.insert(p.span.start) {
                continue;
            }
            let built_with = if p.linking == Linking::Glibc {
                "glibc"
            } else {
                "musl"
            };
            let fix = (!p.cgo_set).then(|| {
                Fix::unsafe_(
                    "build with `CGO_ENABLED=0`",
                    vec![Edit::insert(p.start, "CGO_ENABLED=0 ")],
                )
            });
            let labels = sh.labels(
                cx,
                build,
                format!("`{}` has {}", sh.runtime.original, runtime_libc.name()),
            );
            let mut r = cx
                .report(
                    p.span,
                    format!(
                        "`go build` links against {built_with} (cgo is on), which the image it is copied into lacks"
                    ),
                )
                .help("build with `CGO_ENABLED=0`; if the program needs cgo, link statically or run it on `gcr.io/distroless/base-debian12`")
                .maybe_fix(fix);
            for (span, text) in labels {
                r = r.label(span, text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    const BAD: &str = "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app ./cmd/app\nFROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT [\"/app\"]\n";

    #[test]
    fn fires_for_a_debian_builder_and_a_static_base() {
        fires(
            "IL5301",
            BAD,
            &[
                "4:5 IL5301 `go build` links against glibc (cgo is on), which the image it is copied into lacks",
            ],
        );
        // alpine is musl; through a stage based on the runtime
        fires(
            "IL5301",
            "FROM golang:1.23-bookworm AS build\nRUN go install ./cmd/...\nFROM alpine:3.20 AS base\nFROM base\nCOPY --from=build /go/bin/app /usr/local/bin/\n",
            &[
                "2:5 IL5301 `go build` links against glibc (cgo is on), which the image it is copied into lacks",
            ],
        );
    }

    #[test]
    fn fires_for_an_alpine_builder_with_a_compiler() {
        fires(
            "IL5301",
            "FROM golang:1.23-alpine AS build\nRUN apk add --no-cache gcc musl-dev\nRUN go build -o /app .\nFROM gcr.io/distroless/static-debian12\nCOPY --from=build /app /app\n",
            &[
                "3:5 IL5301 `go build` links against musl (cgo is on), which the image it is copied into lacks",
            ],
        );
    }

    #[test]
    fn fixes_by_turning_cgo_off() {
        assert_eq!(
            fixed("IL5301", BAD, Applicability::Unsafe),
            BAD.replace("RUN go build", "RUN CGO_ENABLED=0 go build")
        );
        // an explicit CGO_ENABLED=1 is the user's choice: reported, not fixed
        let on = BAD.replace("RUN go build", "RUN CGO_ENABLED=1 go build");
        assert_eq!(fixed("IL5301", &on, Applicability::Unsafe), on);
    }

    #[test]
    fn passes_when_cgo_is_off_or_the_runtime_has_glibc() {
        passes(
            "IL5301",
            &BAD.replace("RUN go build", "RUN CGO_ENABLED=0 go build"),
        );
        passes(
            "IL5301",
            &BAD.replace("WORKDIR /src", "ENV CGO_ENABLED=0\nWORKDIR /src"),
        );
        passes(
            "IL5301",
            &BAD.replace("RUN go build", "RUN export CGO_ENABLED=0 && go build"),
        );
        passes(
            "IL5301",
            &BAD.replace("RUN go build", "RUN go env -w CGO_ENABLED=0\nRUN go build"),
        );
        passes(
            "IL5301",
            &BAD.replace("go build", "go build -tags netgo,osusergo"),
        );
        passes(
            "IL5301",
            &BAD.replace("FROM scratch", "FROM gcr.io/distroless/base-debian12"),
        );
        passes("IL5301", &BAD.replace("golang:1.23", "golang:1.23-alpine"));
        // cross-compiled: cgo is off
        passes(
            "IL5301",
            &BAD.replace("RUN go build", "RUN GOARCH=arm64 go build"),
        );
        // an unset ARG: unknown
        passes(
            "IL5301",
            &BAD.replace("WORKDIR /src", "ARG CGO_ENABLED\nWORKDIR /src"),
        );
        // the binary is not what is copied
        passes(
            "IL5301",
            &BAD.replace(
                "COPY --from=build /out/app /app",
                "COPY --from=build /etc/ssl/certs/ /etc/ssl/certs/",
            ),
        );
        // built by make: unknown
        passes(
            "IL5301",
            "FROM golang:1.23 AS build\nRUN make build\nFROM scratch\nCOPY --from=build /src/bin/app /app\n",
        );
    }
}
