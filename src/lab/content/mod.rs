//! Lessons, challenges and drills: Markdown files with TOML front matter.
