//! The Query pane: a tab per language (PromQL, LogQL, TraceQL) and one for alerts. Each
//! language tab has an editor with history, a syntax check as you type, completion, a
//! time range, results (a table for instants, a chart for ranges) and, for PromQL, the
//! explain tree.
//!
//! State and keys live here, drawing in `view.rs`; the pane never does I/O: it returns
//! `Cmd`s (run a query, load names) and takes their results back by request id.

pub mod complete;
pub mod correlate;
mod editor;
pub mod logs;
pub mod range;
mod results;
mod signals;
pub mod traces;
pub mod update;
pub mod view;
mod view_signals;

use std::time::Duration;

use crate::lab::query::QueryLang;
use crate::lab::query::history::History;

pub use editor::Editor;
pub use results::{ExplainRow, ExplainView, NodeState, ResultView, Run, RunState};

use super::alerts::AlertsTab;
use complete::KnownByLang;
use correlate::{Crumb, ExemplarsView};
use logs::Tail;
use range::{Mode, TimeRange};
use traces::{ServiceMapState, TraceView};

/// The pane's tabs, in the order `t` visits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Lang(QueryLang),
    Alerts,
}

pub const TABS: [Tab; 4] = [
    Tab::Lang(QueryLang::PromQL),
    Tab::Lang(QueryLang::LogQL),
    Tab::Lang(QueryLang::TraceQL),
    Tab::Alerts,
];

impl Tab {
    pub fn title(self) -> &'static str {
        match self {
            Self::Lang(QueryLang::PromQL) => "PromQL",
            Self::Lang(QueryLang::LogQL) => "LogQL",
            Self::Lang(QueryLang::TraceQL) => "TraceQL",
            Self::Alerts => "Alerts",
        }
    }
}

/// Which part of a language tab has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Editor,
    Results,
    Explain,
}

/// What a one-line prompt under the editor is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// A time range or step (`:`).
    Range,
    /// Text to keep log lines by, or to find spans of the open trace (`/`).
    Filter,
}

/// A one-line prompt being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

/// Auto-refresh choices `a` steps through.
pub const REFRESH: [Option<Duration>; 4] = [
    None,
    Some(Duration::from_secs(5)),
    Some(Duration::from_secs(15)),
    Some(Duration::from_secs(30)),
];

/// One language's tab.
#[derive(Debug, Clone)]
pub struct LangTab {
    pub lang: QueryLang,
    pub editor: Editor,
    /// The newest run (what the results area shows).
    pub run: Option<Run>,
    pub explain: Option<ExplainView>,
    pub range: TimeRange,
    /// The prompt under the editor (`:` range, `/` filter), while it is open.
    pub prompt: Option<Prompt>,
    /// TraceQL: a trace opened as a waterfall, over the results.
    pub trace: Option<TraceView>,
    /// PromQL: the exemplars of the chart's query, under the chart.
    pub exemplars: Option<ExemplarsView>,
    /// TraceQL: the service map, over the results.
    pub map: Option<ServiceMapState>,
}

impl LangTab {
    fn new(lang: QueryLang) -> Self {
        // Logs and traces are searched over a range; only PromQL starts at an instant.
        let range = TimeRange {
            mode: match lang {
                QueryLang::PromQL => Mode::Instant,
                QueryLang::LogQL | QueryLang::TraceQL => Mode::Range,
            },
            ..TimeRange::default()
        };
        Self {
            lang,
            editor: Editor::new(lang),
            run: None,
            explain: None,
            range,
            prompt: None,
            trace: None,
            exemplars: None,
            map: None,
        }
    }
}

/// The pane's state.
#[derive(Debug, Clone)]
pub struct QueryPane {
    pub tab: Tab,
    pub part: Part,
    pub promql: LangTab,
    pub logql: LangTab,
    pub traceql: LangTab,
    pub alerts: AlertsTab,
    pub history: History,
    /// Completion names, each language's from its own backend.
    pub known: KnownByLang,
    /// Cells available to the results (for the step and the chart's resolution).
    pub width: u16,
    pub refresh: usize,
    since_refresh: Duration,
    /// Time since each language's names were asked for (`None`: never yet).
    since_names: [Option<Duration>; 3],
    /// A query asked for while no lab was running: it runs once Prometheus answers.
    pub pending: Option<(QueryLang, String)>,
    /// Time since the pane was created, for spinners and elapsed times.
    pub clock: Duration,
    /// Where the learner came from, for the back key and the breadcrumb.
    pub trail: Vec<Crumb>,
    /// The LogQL tab's live tail, while one runs (or is paused with what arrived).
    pub tail: Option<Tail>,
    /// When the LogQL editor's text is next checked by Loki (debounced while typing).
    pub check_due: Option<Duration>,
    next_id: u64,
}

/// How often completion names are refreshed while the pane is open.
const NAMES_EVERY: Duration = Duration::from_secs(60);

impl QueryPane {
    pub fn new(history: History) -> Self {
        Self {
            tab: TABS[0],
            part: Part::Editor,
            promql: LangTab::new(QueryLang::PromQL),
            logql: LangTab::new(QueryLang::LogQL),
            traceql: LangTab::new(QueryLang::TraceQL),
            alerts: AlertsTab::default(),
            history,
            known: KnownByLang::default(),
            width: 80,
            refresh: 0,
            since_refresh: Duration::ZERO,
            since_names: [None; 3],
            pending: None,
            clock: Duration::ZERO,
            trail: Vec::new(),
            tail: None,
            check_due: None,
            next_id: 0,
        }
    }

    pub fn lang_tab(&self, lang: QueryLang) -> &LangTab {
        match lang {
            QueryLang::PromQL => &self.promql,
            QueryLang::LogQL => &self.logql,
            QueryLang::TraceQL => &self.traceql,
        }
    }

    pub fn lang_tab_mut(&mut self, lang: QueryLang) -> &mut LangTab {
        match lang {
            QueryLang::PromQL => &mut self.promql,
            QueryLang::LogQL => &mut self.logql,
            QueryLang::TraceQL => &mut self.traceql,
        }
    }

    /// The language tab in front, if the Alerts tab is not.
    pub fn current(&self) -> Option<&LangTab> {
        match self.tab {
            Tab::Lang(lang) => Some(self.lang_tab(lang)),
            Tab::Alerts => None,
        }
    }

    fn current_mut(&mut self) -> Option<&mut LangTab> {
        match self.tab {
            Tab::Lang(lang) => Some(self.lang_tab_mut(lang)),
            Tab::Alerts => None,
        }
    }

    /// True while keys go to a text field (the editor or the range prompt).
    pub fn is_typing(&self) -> bool {
        match self.current() {
            Some(tab) => self.part == Part::Editor || tab.prompt.is_some(),
            None => self.alerts.is_typing(),
        }
    }

    pub fn refresh_every(&self) -> Option<Duration> {
        REFRESH[self.refresh % REFRESH.len()]
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

impl QueryPane {
    /// A query of the tab in front is on its way (its spinner turns).
    pub fn is_loading(&self) -> bool {
        self.current()
            .and_then(|t| t.run.as_ref())
            .is_some_and(|r| matches!(r.state, RunState::Loading))
    }
}
