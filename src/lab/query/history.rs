//! Each language's query history, kept in the data dir so it survives restarts.
//!
//! One small JSON file (`query-history.json`), newest last, deduplicated and capped. A file
//! that cannot be read is ignored with a warning: history is a convenience, never a reason
//! for the console not to start.

use std::collections::BTreeMap;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::QueryLang;

/// Queries kept per language; older ones fall off the front.
pub const MAX_ENTRIES: usize = 200;

/// Past queries per language, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    #[serde(default)]
    entries: BTreeMap<QueryLang, Vec<String>>,
}

impl History {
    pub fn file(data_dir: &Path) -> PathBuf {
        data_dir.join("query-history.json")
    }

    /// Reads the history, or an empty one when there is none or it is unreadable.
    pub fn load(path: &Path) -> Self {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Self::default(),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "query history unreadable; starting empty");
                return Self::default();
            }
        };
        serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(path = %path.display(), error = %e, "query history is not valid JSON; starting empty");
            Self::default()
        })
    }

    /// Writes atomically: a temp file beside it, synced, then renamed over it.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        std::fs::create_dir_all(dir)?;
        let bytes = serde_json::to_vec_pretty(self).map_err(io::Error::other)?;
        let tmp = path.with_extension(format!("json.tmp.{}", std::process::id()));
        let written = std::fs::File::create(&tmp).and_then(|mut file| {
            file.write_all(&bytes)?;
            file.sync_all()
        });
        if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, path)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(())
    }

    pub fn entries(&self, lang: QueryLang) -> &[String] {
        self.entries.get(&lang).map_or(&[], Vec::as_slice)
    }

    /// Records a query as the newest; an earlier copy of it moves to the end.
    pub fn push(&mut self, lang: QueryLang, query: &str) {
        let query = query.trim();
        if query.is_empty() {
            return;
        }
        let list = self.entries.entry(lang).or_default();
        list.retain(|q| q != query);
        list.push(query.to_string());
        if list.len() > MAX_ENTRIES {
            let extra = list.len() - MAX_ENTRIES;
            list.drain(..extra);
        }
    }

    pub fn clear(&mut self, lang: QueryLang) {
        self.entries.remove(&lang);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_dedupes_moves_to_the_end_and_caps() {
        let mut h = History::default();
        h.push(QueryLang::PromQL, "up");
        h.push(QueryLang::PromQL, " rate(x[5m]) ");
        h.push(QueryLang::PromQL, "up");
        h.push(QueryLang::PromQL, "   ");
        assert_eq!(h.entries(QueryLang::PromQL), ["rate(x[5m])", "up"]);
        assert!(h.entries(QueryLang::LogQL).is_empty());
        for i in 0..MAX_ENTRIES + 5 {
            h.push(QueryLang::LogQL, &format!("{{job=\"{i}\"}}"));
        }
        let logql = h.entries(QueryLang::LogQL);
        assert_eq!(logql.len(), MAX_ENTRIES);
        assert_eq!(logql[0], "{job=\"5\"}");
        h.clear(QueryLang::PromQL);
        assert!(h.entries(QueryLang::PromQL).is_empty());
    }

    #[test]
    fn saves_and_loads_and_survives_a_corrupt_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = History::file(dir.path());
        assert_eq!(History::load(&path), History::default());
        let mut h = History::default();
        h.push(QueryLang::TraceQL, "{ status = error }");
        h.save(&path).expect("save");
        assert_eq!(History::load(&path), h);
        std::fs::write(&path, b"{not json").expect("write");
        assert_eq!(History::load(&path), History::default());
    }
}
