use crate::fix::{Edit, Fix};
use crate::graph::{Base, Build, EdgeTarget};
use crate::rules::*;
use crate::size::facts;
use crate::syntax::Kind;

/// IL5002
pub struct MissingCaCertificates;

const META: Meta = Meta {
    code: "IL5002",
    name: "missing-ca-certificates",
    aliases: &[],
    severity: Severity::Info,
    category: Category::Correctness,
    fix: FixAvailability::Sometimes,
    default_enabled: true,
    summary: "A `scratch` image without a CA bundle: outgoing TLS connections fail",
    doc: include_str!("../../../rules/missing-ca-certificates.md"),
    target: Target::Dockerfile,
};

fn is_ca_path(p: &str) -> bool {
    let p = p.to_ascii_lowercase();
    p.starts_with("/etc/ssl")
        || p.starts_with("/etc/pki")
        || p.starts_with("/usr/share/ca-certificates")
        || p.starts_with("/usr/local/share/ca-certificates")
        || p.contains("ca-certificates")
        || p.contains("cacert")
        || p.contains("ca-bundle")
        || p.ends_with(".pem") && p.contains("ca")
}

impl Rule for MissingCaCertificates {
    fn meta(&self) -> &'static Meta {
        &META
    }

    fn check_build(&self, cx: &mut Context<'_>, build: &Build) {
        let Some(target) = build.target_stage() else {
            return;
        };
        let chain = build.chain(target.index);
        let Some(&root) = chain.last() else { return };
        if build.stages[root].base != Base::Scratch {
            return;
        }
        // only images that run a program
        if target.config.entrypoint.is_none() && target.config.cmd.is_none() {
            return;
        }
        let copies = &target.config.copies;
        // a program built in another stage or downloaded, not a file of the
        // context such as a prebuilt `hello`
        let built = copies.iter().any(|c| {
            c.from.is_some()
                || c.sources
                    .iter()
                    .any(|s| s.starts_with("http://") || s.starts_with("https://"))
        });
        if !built {
            return;
        }
        // the program comes from a Go or Rust build in the file
        let go_or_rust = copies.iter().any(|c| {
            c.from_stage()
                .is_some_and(|s| !super::built_programs::programs(cx, build, s).is_empty())
        });
        if !go_or_rust {
            return;
        }
        // a root file system copied from a stage or unpacked
        let has_bundle = super::final_image::has_root_filesystem(copies)
            || copies
                .iter()
                .any(|c| is_ca_path(&c.dest) || c.sources.iter().any(|s| is_ca_path(s)))
            || target
                .config
                .env
                .vars()
                .iter()
                .any(|v| v.name == "SSL_CERT_FILE" || v.name == "SSL_CERT_DIR");
        if has_bundle {
            return;
        }
        let Some(at) = target.base_span else { return };
        // a builder that has a bundle to copy from
        let donor = copies.iter().find_map(|c| match &c.from {
            Some(EdgeTarget::Stage(s)) => {
                let root = *build.chain(*s).last()?;
                match &build.stages[root].base {
                    Base::Image(r) if facts(r).ca_certificates == Some(true) => {
                        Some(build.stages[*s].label())
                    }
                    _ => None,
                }
            }
            _ => None,
        });
        let fix = donor.and_then(|name| {
            let from = cx.instruction(target.from)?;
            if from.kind != Kind::From {
                return None;
            }
            let line_end = from.head_span(cx.text()).end;
            Some(Fix::unsafe_(
                format!("copy the CA bundle from `{name}`"),
                vec![Edit::insert(
                    line_end,
                    format!(
                        "\nCOPY --from={name} /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/"
                    ),
                )],
            ))
        });
        cx.report(at, "the image has no CA certificates, so TLS connections it makes will fail")
            .help("copy `/etc/ssl/certs/ca-certificates.crt` from the build stage, or start from `gcr.io/distroless/static-debian12`, which has them")
            .maybe_fix(fix);
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::Applicability;
    use crate::rules::test::*;

    const GO: &str = "FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /app .\nFROM scratch\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n";

    #[test]
    fn fires_for_a_scratch_image_without_certificates() {
        fires(
            "IL5002",
            GO,
            &["3:6 IL5002 the image has no CA certificates, so TLS connections it makes will fail"],
        );
    }

    #[test]
    fn fixes_by_copying_from_the_builder() {
        assert_eq!(
            fixed("IL5002", GO, Applicability::Unsafe),
            "FROM golang:1.22 AS build\nRUN CGO_ENABLED=0 go build -o /app .\nFROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\nCOPY --from=build /app /app\nENTRYPOINT [\"/app\"]\n"
        );
    }

    #[test]
    fn passes_when_a_bundle_is_copied() {
        passes(
            "IL5002",
            &GO.replace(
                "COPY --from=build /app /app\n",
                "COPY --from=build /app /app\nCOPY --from=build /etc/ssl/certs/ /etc/ssl/certs/\n",
            ),
        );
        passes(
            "IL5002",
            "FROM scratch\nADD rootfs.tar.gz /\nCMD [\"/bin/sh\"]\n",
        );
        passes(
            "IL5002",
            "FROM scratch\nCOPY --from=alpine:3 /etc/ssl/certs/ca-certificates.crt /etc/ssl/cert.pem\nCOPY app /\nENV SSL_CERT_FILE=/etc/ssl/cert.pem\nCMD [\"/app\"]\n",
        );
    }

    #[test]
    fn passes_for_other_bases_and_data_images() {
        passes(
            "IL5002",
            "FROM gcr.io/distroless/static-debian12\nCOPY app /app\nCMD [\"/app\"]\n",
        );
        passes("IL5002", "FROM scratch\nCOPY config.json /\n");
        // a prebuilt program from the context
        passes("IL5002", "FROM scratch\nCOPY hello /\nCMD [\"/hello\"]\n");
        // a root file system from a stage
        passes(
            "IL5002",
            "FROM alpine AS rootfs\nRUN mkdir /out\nFROM scratch\nCOPY --from=rootfs /out/ /\nCMD [\"/bin/sh\"]\n",
        );
    }

    #[test]
    fn follows_a_stage_based_on_scratch() {
        fires(
            "IL5002",
            "FROM golang:1.23 AS build\nRUN go build -o /app\nFROM scratch AS base\nCOPY --from=build /app /app\nFROM base\nCMD [\"/app\"]\n",
            &["5:6 IL5002 the image has no CA certificates, so TLS connections it makes will fail"],
        );
    }
}
