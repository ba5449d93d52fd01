//! Query languages of the lab's backends (the clients arrive with the stack).

use std::fmt;

/// The three query languages a lesson can run: Prometheus, Loki and Tempo.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum QueryLang {
    PromQL,
    LogQL,
    TraceQL,
}

impl QueryLang {
    /// The fenced-code tag that marks a runnable block (` ```promql `), case-insensitive.
    pub fn from_tag(tag: &str) -> Option<Self> {
        match tag.to_ascii_lowercase().as_str() {
            "promql" => Some(Self::PromQL),
            "logql" => Some(Self::LogQL),
            "traceql" => Some(Self::TraceQL),
            _ => None,
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Self::PromQL => "promql",
            Self::LogQL => "logql",
            Self::TraceQL => "traceql",
        }
    }

    /// The backend that answers this language.
    pub fn backend(self) -> &'static str {
        match self {
            Self::PromQL => "Prometheus",
            Self::LogQL => "Loki",
            Self::TraceQL => "Tempo",
        }
    }
}

impl fmt::Display for QueryLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PromQL => "PromQL",
            Self::LogQL => "LogQL",
            Self::TraceQL => "TraceQL",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_and_unknown_tags_are_not_runnable() {
        for lang in [QueryLang::PromQL, QueryLang::LogQL, QueryLang::TraceQL] {
            assert_eq!(QueryLang::from_tag(lang.tag()), Some(lang));
        }
        assert_eq!(QueryLang::from_tag("PromQL"), Some(QueryLang::PromQL));
        assert_eq!(QueryLang::from_tag("rust"), None);
    }
}
