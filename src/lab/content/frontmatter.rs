//! Splits a content file into its TOML front matter and its Markdown body.

/// The line that opens and closes the front matter.
pub const DELIMITER: &str = "+++";

/// A file cut in two, with where each part starts in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontMatter<'a> {
    /// The TOML between the delimiters.
    pub toml: &'a str,
    /// 1-based file line of the first TOML line (2 for a well-formed file).
    pub toml_line: usize,
    /// The Markdown after the closing delimiter.
    pub body: &'a str,
    /// 1-based file line of the first body line.
    pub body_line: usize,
}

/// Why a file has no usable front matter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrontMatterError {
    #[error(
        "no front matter: the file must start with a line `+++`, then TOML keys (id, title, level, minutes), then a line `+++`"
    )]
    Missing,
    #[error(
        "front matter must be TOML between `+++` lines; this file starts with `---` (YAML), replace both `---` lines with `+++`"
    )]
    Yaml,
    #[error("the front matter opened here is never closed: add a line `+++` after the TOML keys")]
    Unclosed,
}

/// Splits `text` at the `+++` lines. A UTF-8 byte-order mark and `\r\n` endings are accepted.
pub fn split(text: &str) -> Result<FrontMatter<'_>, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if !is_delimiter(first) {
        return Err(if trim_eol(first) == "---" {
            FrontMatterError::Yaml
        } else {
            FrontMatterError::Missing
        });
    }
    let toml_start = first.len();
    let mut offset = toml_start;
    for (index, line) in lines.enumerate() {
        if is_delimiter(line) {
            let body_start = offset + line.len();
            return Ok(FrontMatter {
                toml: &text[toml_start..offset],
                toml_line: 2,
                body: &text[body_start..],
                // The first line is the opening delimiter, this one is line `index + 2`.
                body_line: index + 3,
            });
        }
        offset += line.len();
    }
    Err(FrontMatterError::Unclosed)
}

fn is_delimiter(line: &str) -> bool {
    trim_eol(line) == DELIMITER
}

fn trim_eol(line: &str) -> &str {
    line.strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_toml_and_body_with_their_lines() {
        let fm = split("+++\nid = \"a\"\ntitle = \"A\"\n+++\n# Body\n\ntext\n").unwrap();
        assert_eq!(fm.toml, "id = \"a\"\ntitle = \"A\"\n");
        assert_eq!(fm.toml_line, 2);
        assert_eq!(fm.body, "# Body\n\ntext\n");
        assert_eq!(fm.body_line, 5);
    }

    #[test]
    fn accepts_crlf_bom_and_an_empty_body() {
        let fm = split("\u{feff}+++\r\nid = \"a\"\r\n+++").unwrap();
        assert_eq!(fm.toml, "id = \"a\"\r\n");
        assert_eq!(fm.body, "");
        assert_eq!(fm.body_line, 4);
    }

    #[test]
    fn delimiter_must_be_exactly_three_pluses() {
        assert_eq!(split("++++\nid = 1\n+++\n"), Err(FrontMatterError::Missing));
        assert_eq!(split(" +++\nid = 1\n+++\n"), Err(FrontMatterError::Missing));
        // `+++ ` with a trailing space does not close it either.
        assert_eq!(
            split("+++\nid = 1\n+++ \n"),
            Err(FrontMatterError::Unclosed)
        );
    }

    #[test]
    fn missing_yaml_and_unclosed_are_told_apart() {
        assert_eq!(split("# Just Markdown\n"), Err(FrontMatterError::Missing));
        assert_eq!(split(""), Err(FrontMatterError::Missing));
        assert_eq!(split("---\nid: a\n---\n"), Err(FrontMatterError::Yaml));
        assert_eq!(
            split("+++\nid = \"a\"\n# Body\n"),
            Err(FrontMatterError::Unclosed)
        );
    }
}
