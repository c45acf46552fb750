//! Reading `/etc/passwd`, `/etc/group` and `/etc/shadow`.

/// The colon-separated fields of each account line, skipping comments,
/// blank lines and NIS `+`/`-` lines.
pub fn records(content: &[u8]) -> Vec<(usize, Vec<String>)> {
    String::from_utf8_lossy(content)
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let l = l.trim();
            !l.is_empty() && !l.starts_with('#') && !l.starts_with('+') && !l.starts_with('-')
        })
        .map(|(i, l)| (i + 1, l.split(':').map(str::to_string).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines() {
        let r = records(b"# c\nroot:x:0:0::/root:/bin/sh\n\n+nis\napp:x:1000:1000::/app:/bin/sh\n");
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].0, 5);
        assert_eq!(r[1].1[2], "1000");
    }
}
