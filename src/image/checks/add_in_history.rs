//! `ADD` in the image history.

use super::{Category, Context, Finding, FixAvailability, Meta, Severity, Target};

pub const META: Meta = Meta {
    code: "IL7013",
    name: "add-in-history",
    aliases: &["CIS-DI-0009"],
    severity: Severity::Info,
    category: Category::Maintainability,
    summary: "A layer was made with `ADD` where `COPY` is clearer",
    fix: FixAvailability::None,
    default_enabled: true,
    doc: include_str!("../../../rules/add-in-history.md"),
    target: Target::Image,
};

/// What to do about a finding.
pub const HELP: &str = "use `COPY` for local files, and `RUN curl` with a checksum (or `ADD --checksum`) for remote ones";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (h, entry) in cx.config.history.iter().enumerate() {
        let ins = entry.instruction();
        if ins.keyword != "ADD" {
            continue;
        }
        let layer = cx.layer_of_history(h);
        // the base image's root filesystem is unpacked with `ADD … /`
        let dest = ins.text.split_whitespace().last().unwrap_or_default();
        if layer == Some(0) && dest == "/" {
            continue;
        }
        let mut f = Finding::new(&META, format!("history entry {h} uses `ADD`")).history(h);
        if let Some(l) = layer {
            f = f.layer(l);
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{TestImage, messages};
    use super::*;

    #[test]
    fn fires_on_later_add() {
        let img = TestImage::new()
            .layer("/bin/sh -c #(nop) ADD file:3c1b2a in /app/ ")
            .layer("ADD https://example.com/tool.tgz /opt/ # buildkit");
        let f = img.run(check);
        assert_eq!(
            messages(&f),
            ["history entry 1 uses `ADD`", "history entry 2 uses `ADD`"]
        );
        assert_eq!(f.get(1).and_then(|f| f.subject.layer), Some(2));
    }

    #[test]
    fn quiet_on_base_rootfs_and_copy() {
        let img = TestImage::new().layer("COPY app /app # buildkit");
        assert!(img.run(check).is_empty());
    }
}
