//! `--dockerfile`: layers, waste and findings point at Dockerfile lines.

mod image_support;

use image_support::*;
use imglint::image::fixture::{FxCompression, research_fixture};
use imglint::image::{self, AnalyzeOptions, Gates, Options};

const DOCKERFILE: &str = "\
FROM scratch
ADD rootfs.tar /
ENV DB_PASSWORD=hunter2
RUN rm -rf /var/cache/apk /app/config.txt \\
 && update-data
RUN rm -rf /usr/share/doc/* && add-notice
CMD [\"/app/app.sh\"]
";

#[test]
fn layers_and_findings_map_to_instructions() {
    let dir = TempDir::new("dockerfile-map");
    let src = write(
        &research_fixture(),
        Shape::OciDir(FxCompression::Gzip),
        &dir,
    );
    let df = dir.join("Dockerfile");
    std::fs::write(&df, DOCKERFILE).unwrap();
    let img = image::open(&src, &Options::default()).unwrap();
    let a = image::analyze(
        &img,
        &AnalyzeOptions {
            dockerfile: Some(df.clone()),
            ..AnalyzeOptions::default()
        },
    )
    .unwrap();
    let lines: Vec<Option<(u32, u32)>> = a
        .layers
        .iter()
        .map(|l| l.dockerfile.as_ref().map(|d| (d.start_line, d.end_line)))
        .collect();
    assert_eq!(lines, [Some((2, 2)), Some((4, 5)), Some((6, 6))]);
    let span = a.layers[1].dockerfile.as_ref().unwrap().span;
    assert!(DOCKERFILE[span.0 as usize..span.1 as usize].starts_with("RUN rm -rf /var/cache/apk"));

    // findings of mapped layers are located in the Dockerfile's report
    let df_report = &a.reports[1];
    let line_of = |code: &str| {
        let f = df_report.findings.iter().find(|f| f.rule.code == code)?;
        Some(df_report.file.position(f.span.start).line)
    };
    assert_eq!(line_of("IL7006"), Some(4));
    assert_eq!(line_of("IL7018"), Some(6));
    // the config's findings stay on the image
    assert!(
        a.reports[0]
            .findings
            .iter()
            .any(|f| f.rule.code == "IL7001")
    );

    let mut out = Vec::new();
    image::report::render_text(&a, &image::report::plain_options(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let df_name = df.display().to_string();
    assert!(
        text.contains(&format!("by layer 1 ({df_name}:4-5)")),
        "{text}"
    );
}

#[test]
fn missing_dockerfile_is_an_error() {
    let dir = TempDir::new("dockerfile-missing");
    let src = write(
        &research_fixture(),
        Shape::OciDir(FxCompression::None),
        &dir,
    );
    let img = image::open(&src, &Options::default()).unwrap();
    let err = image::analyze(
        &img,
        &AnalyzeOptions {
            dockerfile: Some(dir.join("nope/Dockerfile")),
            ..AnalyzeOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("nope/Dockerfile"), "{err}");
}

#[test]
fn gates_pass_and_fail_like_dive_ci() {
    let dir = TempDir::new("gates");
    let src = write(&research_fixture(), Shape::DockerLegacyTar, &dir);
    let img = image::open(&src, &Options::default()).unwrap();
    let run = |gates: Gates| {
        image::analyze(
            &img,
            &AnalyzeOptions {
                gates,
                no_checks: true,
                ..AnalyzeOptions::default()
            },
        )
        .unwrap()
    };
    let a = run(Gates {
        min_efficiency: Some(0.9),
        max_wasted_bytes: Some(2_000_000),
        max_wasted_ratio: Some(3.0),
    });
    let verdicts: Vec<(&str, bool)> = a.gates.iter().map(|g| (g.name, g.passed)).collect();
    assert_eq!(
        verdicts,
        [
            ("min-efficiency", false),
            ("max-wasted-bytes", true),
            ("max-wasted-ratio", true)
        ]
    );
    assert!(a.gates_failed());
    assert!(a.findings().next().is_none());
    let a = run(Gates {
        min_efficiency: Some(0.5),
        max_wasted_bytes: Some(WASTED),
        max_wasted_ratio: None,
    });
    assert!(!a.gates_failed());
    let a = run(Gates {
        max_wasted_bytes: Some(WASTED - 1),
        ..Gates::default()
    });
    assert!(a.gates_failed());
}
