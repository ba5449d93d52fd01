//! The one keymap table: key dispatch, footer hints and the `?` help are all read from it,
//! so they cannot drift apart.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where a binding applies. Keys go overlay -> global -> focused pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Global,
    Navigator,
    Reader,
    Filter,
    Stack,
    Logs,
    Faults,
    /// Typing a fault's parameters before injecting it.
    FaultParams,
    /// The Query pane's results and explain tree.
    Query,
    /// Typing a query.
    QueryEditor,
    /// Typing a time range or step.
    RangePrompt,
    /// The Query pane's Alerts tab.
    Alerts,
    /// Typing a silence's duration and comment.
    SilenceForm,
    /// The challenge runner or a lesson's exercises: the question list.
    Challenge,
    /// Typing an answer.
    AnswerForm,
    /// The interview: a drill's question, its feedback, the summary.
    Interview,
    Confirm,
    Help,
}

impl Context {
    /// In the order the help lists them.
    pub const ALL: [Context; 18] = [
        Context::Global,
        Context::Navigator,
        Context::Reader,
        Context::Challenge,
        Context::AnswerForm,
        Context::Interview,
        Context::Query,
        Context::QueryEditor,
        Context::RangePrompt,
        Context::Alerts,
        Context::SilenceForm,
        Context::Stack,
        Context::Logs,
        Context::Faults,
        Context::FaultParams,
        Context::Filter,
        Context::Confirm,
        Context::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Everywhere",
            Self::Navigator => "Lists",
            Self::Reader => "Reader",
            Self::Filter => "Typing a filter or search",
            Self::Stack => "Stack pane",
            Self::Logs => "Component logs",
            Self::Faults => "Faults pane",
            Self::FaultParams => "Fault parameters",
            Self::Query => "Query pane: results and explain tree",
            Self::QueryEditor => "Query pane: typing a query",
            Self::RangePrompt => "Query pane: typing a range, a filter or a search",
            Self::Alerts => "Query pane: Alerts tab",
            Self::SilenceForm => "Query pane: writing a silence",
            Self::Challenge => "Challenge runner and lesson exercises",
            Self::AnswerForm => "Writing an answer",
            Self::Interview => "Interview",
            Self::Confirm => "Questions",
            Self::Help => "This help",
        }
    }
}

/// What a key asks for; panes turn actions into state changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    ToggleHelp,
    SwitchFocus,
    ShowLessons,
    ShowChallenges,
    ShowDrills,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    StartFilter,
    ClearFilter,
    CyclePath,
    AcceptFilter,
    CancelFilter,
    DeleteChar,
    NextQuery,
    PreviousQuery,
    SendQuery,
    MarkComplete,
    ToggleAnswer,
    ShowStack,
    StartLab,
    StartComponent,
    StopComponent,
    RestartComponent,
    ShowLogs,
    MoreTraffic,
    LessTraffic,
    BurstTraffic,
    ShowFaults,
    NextTarget,
    InjectFault,
    EditParams,
    ClearValue,
    CancelEdit,
    ClearFault,
    ClearAllFaults,
    ShowQuery,
    RunQuery,
    Newline,
    Complete,
    HistoryPrevious,
    HistoryNext,
    ClearEditor,
    EditQuery,
    Rerun,
    ToggleMode,
    LongerRange,
    ShorterRange,
    RangePrompt,
    CycleRefresh,
    ToggleExplain,
    CycleSort,
    ToggleSeries,
    CursorLeft,
    CursorRight,
    NextTab,
    PreviousTab,
    NewSilence,
    ExpireSilence,
    ToggleWrap,
    ToggleTail,
    PreviousBar,
    NextBar,
    ZoomBar,
    Correlate,
    SpanMetrics,
    ServiceMap,
    BackTrail,
    NextMatch,
    PreviousMatch,
    StartChallenge,
    AnswerExercises,
    ShowRunner,
    RevealHint,
    Submit,
    Abandon,
    ToggleBriefing,
    ShowSolution,
    SaveAnswer,
    TakeQuery,
    StartInterview,
    NextQuestion,
    Yes,
    No,
}

/// A key as written in help text and matched against events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

const fn key(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

const fn ctrl_key(code: KeyCode) -> Key {
    Key { code, ctrl: true }
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

impl Key {
    fn matches(&self, event: &KeyEvent) -> bool {
        let ctrl_held = event.modifiers.contains(KeyModifiers::CONTROL);
        match (self.code, event.code) {
            // Shifted letters arrive as the upper-case char, with or without SHIFT.
            (KeyCode::Char(a), KeyCode::Char(b)) => a == b && self.ctrl == ctrl_held,
            (a, b) => a == b && self.ctrl == ctrl_held,
        }
    }

    /// How the key is written in the footer and help.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    pub action: Action,
    pub help: &'static str,
    /// The footer's word for it when its context is active; empty keeps it out of the footer.
    pub short: &'static str,
}

const fn bind(
    context: Context,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
    short: &'static str,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        help,
        short,
    }
}

use Action as A;
use Context as C;

/// Every key labtui answers to.
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    bind(C::Global, &[ch('q'), ctrl('c')], A::Quit, "quit (progress is saved)", "quit"),
    bind(C::Global, &[ch('?')], A::ToggleHelp, "show or hide this help", "help"),
    bind(C::Global, &[key(KeyCode::Tab)], A::SwitchFocus, "move between the panes (list, reader, query…)", "switch pane"),
    bind(C::Global, &[ch('1')], A::ShowLessons, "show lessons", ""),
    bind(C::Global, &[ch('2')], A::ShowChallenges, "show challenges", ""),
    bind(C::Global, &[ch('3')], A::ShowDrills, "show drills", ""),
    bind(C::Global, &[ch('s')], A::ShowStack, "show the lab stack", "stack"),
    bind(C::Global, &[ch('f')], A::ShowFaults, "show the fault catalogue", "faults"),
    bind(C::Global, &[ch('U')], A::StartLab, "start the lab (asks first)", ""),
    bind(C::Global, &[ch('e')], A::ShowQuery, "query the lab (PromQL, alerts…)", "query"),
    bind(C::Navigator, &[ch('j'), key(KeyCode::Down)], A::Down, "next item", ""),
    bind(C::Navigator, &[ch('k'), key(KeyCode::Up)], A::Up, "previous item", ""),
    bind(C::Navigator, &[ch('g'), key(KeyCode::Home)], A::Top, "first item", ""),
    bind(C::Navigator, &[ch('G'), key(KeyCode::End)], A::Bottom, "last item", ""),
    bind(C::Navigator, &[key(KeyCode::Enter), ch('l'), key(KeyCode::Right)], A::Open, "open the selected item", "open"),
    bind(C::Navigator, &[ch('/')], A::StartFilter, "filter the list by title, id or tag", "filter"),
    bind(C::Navigator, &[key(KeyCode::Esc)], A::ClearFilter, "clear the filter", ""),
    bind(C::Navigator, &[ch('p')], A::CyclePath, "show each learning path in turn, in its order, then all", ""),
    bind(C::Navigator, &[ch('I')], A::StartInterview, "an interview: 3 random drills among those the list shows", ""),
    bind(C::Reader, &[ch('j'), key(KeyCode::Down)], A::Down, "scroll down", ""),
    bind(C::Reader, &[ch('k'), key(KeyCode::Up)], A::Up, "scroll up", ""),
    bind(C::Reader, &[key(KeyCode::PageDown), ch(' ')], A::PageDown, "page down", ""),
    bind(C::Reader, &[key(KeyCode::PageUp), ch('b')], A::PageUp, "page up", ""),
    bind(C::Reader, &[ch('g'), key(KeyCode::Home)], A::Top, "go to the top", ""),
    bind(C::Reader, &[ch('G'), key(KeyCode::End)], A::Bottom, "go to the end", ""),
    bind(C::Reader, &[ch('n')], A::NextQuery, "select the next runnable query", "next query"),
    bind(C::Reader, &[ch('N')], A::PreviousQuery, "select the previous runnable query", ""),
    bind(C::Reader, &[key(KeyCode::Enter), ch('r')], A::SendQuery, "send the selected query to the query pane", "run query"),
    bind(C::Reader, &[ch('c')], A::MarkComplete, "mark this lesson or drill complete", ""),
    bind(C::Reader, &[ch('a')], A::ToggleAnswer, "show or hide a drill's example answer", ""),
    bind(C::Reader, &[ch('S')], A::StartChallenge, "start this challenge: inject its faults and start the clock (asks first)", ""),
    bind(C::Reader, &[ch('A')], A::AnswerExercises, "answer this lesson's exercises, graded as you go", ""),
    bind(C::Reader, &[ch('R')], A::ShowRunner, "back to the running challenge or the exercises", ""),
    bind(C::Reader, &[ch('I')], A::StartInterview, "an interview on this drill, graded by its rubric", ""),
    bind(C::Reader, &[key(KeyCode::Esc), ch('h'), key(KeyCode::Left)], A::Back, "back to the list", "back"),
    bind(C::Challenge, &[ch('j'), key(KeyCode::Down)], A::Down, "next question", ""),
    bind(C::Challenge, &[ch('k'), key(KeyCode::Up)], A::Up, "previous question", ""),
    bind(C::Challenge, &[ch('g'), key(KeyCode::Home)], A::Top, "first question", ""),
    bind(C::Challenge, &[ch('G'), key(KeyCode::End)], A::Bottom, "last question", ""),
    bind(C::Challenge, &[key(KeyCode::PageDown), ch(' ')], A::PageDown, "scroll the details down", ""),
    bind(C::Challenge, &[key(KeyCode::PageUp), ch('b')], A::PageUp, "scroll the details up", ""),
    bind(C::Challenge, &[key(KeyCode::Enter), ch('i')], A::Open, "answer the selected question (or change the answer)", "answer"),
    bind(C::Challenge, &[ch('H')], A::RevealHint, "reveal the next hint (a challenge's hint shows its cost first)", "hint"),
    bind(C::Challenge, &[ch('S')], A::Submit, "submit the answers for grading (asks first)", "submit"),
    bind(C::Challenge, &[ch('X')], A::Abandon, "abandon the challenge: faults cleared, no score (asks first)", ""),
    bind(C::Challenge, &[ch('B')], A::ToggleBriefing, "show the briefing or the question", "briefing"),
    bind(C::Challenge, &[ch('v')], A::ShowSolution, "the solution (after the challenge; after a try at an exercise)", "solution"),
    bind(C::Challenge, &[key(KeyCode::Esc), ch('h'), key(KeyCode::Left)], A::Back, "back to the list (the challenge keeps running)", "back"),
    bind(C::AnswerForm, &[key(KeyCode::Enter)], A::SaveAnswer, "save the answer (a choice: pick the option under the cursor)", "save"),
    bind(C::AnswerForm, &[ctrl('j')], A::Newline, "new line in a text or query answer (Alt-Enter too)", ""),
    bind(C::AnswerForm, &[key(KeyCode::Down)], A::Down, "next option (in text: the next line)", ""),
    bind(C::AnswerForm, &[key(KeyCode::Up)], A::Up, "previous option (in text: the line above)", ""),
    bind(C::AnswerForm, &[ctrl('y')], A::TakeQuery, "take the Query pane's query of the same language", "take query"),
    bind(C::AnswerForm, &[key(KeyCode::Esc)], A::CancelEdit, "close the form, keep the saved answer", "cancel"),
    bind(C::Interview, &[ch('j'), key(KeyCode::Down)], A::Down, "scroll down", ""),
    bind(C::Interview, &[ch('k'), key(KeyCode::Up)], A::Up, "scroll up", ""),
    bind(C::Interview, &[key(KeyCode::PageDown), ch(' ')], A::PageDown, "page down", ""),
    bind(C::Interview, &[key(KeyCode::PageUp), ch('b')], A::PageUp, "page up", ""),
    bind(C::Interview, &[ch('g'), key(KeyCode::Home)], A::Top, "go to the top", ""),
    bind(C::Interview, &[ch('G'), key(KeyCode::End)], A::Bottom, "go to the end", ""),
    bind(C::Interview, &[key(KeyCode::Enter), ch('i')], A::Open, "answer; after the feedback, next; on the summary, close", "answer"),
    bind(C::Interview, &[ch('n')], A::NextQuestion, "the next question (after the feedback)", "next"),
    bind(C::Interview, &[key(KeyCode::Esc)], A::Abandon, "end it, keeping graded answers (asks if one is unsent)", "end"),
    bind(C::Query, &[ch('i')], A::EditQuery, "edit the query", "edit"),
    bind(C::Query, &[key(KeyCode::Enter)], A::Open, "edit the query; on a log line, trace or span: expand, open, details; in the explain tree, run the node", ""),
    bind(C::Query, &[ch('r')], A::Rerun, "run the query again", "rerun"),
    bind(C::Query, &[ch('m')], A::ToggleMode, "instant (table) or range (chart)", "instant/range"),
    bind(C::Query, &[ch('+'), ch('=')], A::LongerRange, "a longer time range (5m 15m 1h 6h 24h)", "range"),
    bind(C::Query, &[ch('-')], A::ShorterRange, "a shorter time range", ""),
    bind(C::Query, &[ch(':')], A::RangePrompt, "type a range or step: 45m, 2h step 1m, <start>..<end>", ""),
    bind(C::Query, &[ch('a')], A::CycleRefresh, "auto-refresh: off, 5 s, 15 s, 30 s", ""),
    bind(C::Query, &[ch('x')], A::ToggleExplain, "explain tree of the PromQL query", "explain"),
    bind(C::Query, &[ch('o')], A::CycleSort, "sort the table or trace list; newest or oldest log lines first", ""),
    bind(C::Query, &[ch(' ')], A::ToggleSeries, "show or hide the chart's series; collapse a span's children", ""),
    bind(C::Query, &[ch('j'), key(KeyCode::Down)], A::Down, "next row, series or node", ""),
    bind(C::Query, &[ch('k'), key(KeyCode::Up)], A::Up, "previous row, series or node", ""),
    bind(C::Query, &[key(KeyCode::PageDown)], A::PageDown, "ten rows down", ""),
    bind(C::Query, &[key(KeyCode::PageUp)], A::PageUp, "ten rows up", ""),
    bind(C::Query, &[ch('g'), key(KeyCode::Home)], A::Top, "first row", ""),
    bind(C::Query, &[ch('G'), key(KeyCode::End)], A::Bottom, "last row", ""),
    bind(C::Query, &[ch('h'), key(KeyCode::Left)], A::CursorLeft, "move the chart's cursor back in time", ""),
    bind(C::Query, &[ch('l'), key(KeyCode::Right)], A::CursorRight, "move the chart's cursor forward in time", ""),
    bind(C::Query, &[ch('t')], A::NextTab, "next tab (PromQL, LogQL, TraceQL, Alerts)", "tab"),
    bind(C::Query, &[ch('T')], A::PreviousTab, "previous tab", ""),
    bind(C::Query, &[key(KeyCode::Esc)], A::Back, "close the trace, details or explain tree, or back to the list", "back"),
    bind(C::Query, &[ch('c')], A::Correlate, "jump to the related signal: log line → its trace, span → its logs, chart → exemplar traces", "jump"),
    bind(C::Query, &[ch('M')], A::SpanMetrics, "span → RED metrics (rate, errors, p95) of its service in PromQL", ""),
    bind(C::Query, &[key(KeyCode::Backspace)], A::BackTrail, "back along the jumps you made (the breadcrumb)", "back a jump"),
    bind(C::Query, &[ch('/')], A::StartFilter, "filter log lines; find spans in the open trace", ""),
    bind(C::Query, &[ch('n')], A::NextMatch, "next span found in the trace", ""),
    bind(C::Query, &[ch('N')], A::PreviousMatch, "previous span found in the trace", ""),
    bind(C::Query, &[ch('w')], A::ToggleWrap, "wrap long log lines", ""),
    bind(C::Query, &[ch('L')], A::ToggleTail, "live tail of the LogQL query: start, or pause keeping what arrived", "tail"),
    bind(C::Query, &[ch('[')], A::PreviousBar, "previous bar of the log volume histogram", ""),
    bind(C::Query, &[ch(']')], A::NextBar, "next bar of the log volume histogram", ""),
    bind(C::Query, &[ch('z')], A::ZoomBar, "zoom the range to the selected volume bar", ""),
    bind(C::Query, &[ch('S')], A::ServiceMap, "the lab's service map (TraceQL tab)", ""),
    bind(C::QueryEditor, &[key(KeyCode::Enter), ctrl_key(KeyCode::Enter), ctrl('r')], A::RunQuery, "run the query (syntax errors are shown, not sent)", "run"),
    bind(C::QueryEditor, &[ctrl('j')], A::Newline, "new line (Alt-Enter too)", ""),
    bind(C::QueryEditor, &[key(KeyCode::Tab)], A::Complete, "complete the name, keyword or value at the cursor (metric, label, LogQL stage, TraceQL attribute)", "complete"),
    bind(C::QueryEditor, &[key(KeyCode::Up), ctrl('p')], A::HistoryPrevious, "older query from history (or the previous suggestion)", "history"),
    bind(C::QueryEditor, &[key(KeyCode::Down), ctrl('n')], A::HistoryNext, "newer query from history (or the next suggestion)", ""),
    bind(C::QueryEditor, &[ctrl('l')], A::ClearEditor, "clear the editor", "clear"),
    bind(C::QueryEditor, &[key(KeyCode::Esc)], A::CancelEdit, "leave the editor for the results", "results"),
    bind(C::RangePrompt, &[key(KeyCode::Enter)], A::RunQuery, "apply the range (and run again), the filter or the search", "apply"),
    bind(C::RangePrompt, &[key(KeyCode::Esc)], A::CancelEdit, "cancel", "cancel"),
    bind(C::RangePrompt, &[key(KeyCode::Backspace)], A::DeleteChar, "delete a character", ""),
    bind(C::Alerts, &[ch('j'), key(KeyCode::Down)], A::Down, "next row", ""),
    bind(C::Alerts, &[ch('k'), key(KeyCode::Up)], A::Up, "previous row", ""),
    bind(C::Alerts, &[ch('g'), key(KeyCode::Home)], A::Top, "first row", ""),
    bind(C::Alerts, &[ch('G'), key(KeyCode::End)], A::Bottom, "last row", ""),
    bind(C::Alerts, &[ch('h'), key(KeyCode::Left)], A::CursorLeft, "previous section (rules, Alertmanager, silences, pages)", ""),
    bind(C::Alerts, &[ch('l'), key(KeyCode::Right)], A::CursorRight, "next section", "section"),
    bind(C::Alerts, &[key(KeyCode::Enter)], A::Open, "open the rule's expression in the PromQL tab", "open rule"),
    bind(C::Alerts, &[ch('S')], A::NewSilence, "silence the selected alert (asks for how long and why)", "silence"),
    bind(C::Alerts, &[ch('X')], A::ExpireSilence, "expire the selected silence (asks first)", ""),
    bind(C::Alerts, &[ch('r')], A::Rerun, "refresh now", ""),
    bind(C::Alerts, &[ch('t')], A::NextTab, "next tab", "tab"),
    bind(C::Alerts, &[ch('T')], A::PreviousTab, "previous tab", ""),
    bind(C::Alerts, &[key(KeyCode::Esc)], A::Back, "back to the list", "back"),
    bind(C::SilenceForm, &[key(KeyCode::Enter)], A::RunQuery, "create the silence", "create"),
    bind(C::SilenceForm, &[key(KeyCode::Tab), key(KeyCode::Up), key(KeyCode::Down)], A::Complete, "the other field", "field"),
    bind(C::SilenceForm, &[key(KeyCode::Backspace)], A::DeleteChar, "delete a character", ""),
    bind(C::SilenceForm, &[key(KeyCode::Esc)], A::CancelEdit, "cancel", "cancel"),
    bind(C::Stack, &[ch('j'), key(KeyCode::Down)], A::Down, "next component", ""),
    bind(C::Stack, &[ch('k'), key(KeyCode::Up)], A::Up, "previous component", ""),
    bind(C::Stack, &[ch('g'), key(KeyCode::Home)], A::Top, "first component", ""),
    bind(C::Stack, &[ch('G'), key(KeyCode::End)], A::Bottom, "last component", ""),
    bind(C::Stack, &[key(KeyCode::Enter), ch('l')], A::ShowLogs, "show the component's logs", "logs"),
    bind(C::Stack, &[ch('u')], A::StartComponent, "start the component", "start"),
    bind(C::Stack, &[ch('x')], A::StopComponent, "stop the component", "stop"),
    bind(C::Stack, &[ch('R')], A::RestartComponent, "restart the component", "restart"),
    bind(C::Stack, &[ch('+'), ch('=')], A::MoreTraffic, "more shop traffic (next rate step)", "traffic"),
    bind(C::Stack, &[ch('-')], A::LessTraffic, "less shop traffic", ""),
    bind(C::Stack, &[ch('b')], A::BurstTraffic, "a 60 s burst of traffic at 5 times the rate", ""),
    bind(C::Stack, &[key(KeyCode::Esc), ch('h'), key(KeyCode::Left)], A::Back, "back to the list", "back"),
    bind(C::Logs, &[ch('j'), key(KeyCode::Down)], A::Down, "scroll down", ""),
    bind(C::Logs, &[ch('k'), key(KeyCode::Up)], A::Up, "scroll up", ""),
    bind(C::Logs, &[key(KeyCode::PageDown), ch(' ')], A::PageDown, "page down", ""),
    bind(C::Logs, &[key(KeyCode::PageUp), ch('b')], A::PageUp, "page up", ""),
    bind(C::Logs, &[ch('g'), key(KeyCode::Home)], A::Top, "oldest line", ""),
    bind(C::Logs, &[ch('G'), key(KeyCode::End)], A::Bottom, "newest line, and follow new ones", "follow"),
    bind(C::Logs, &[ch('/')], A::StartFilter, "show only lines containing some text", "search"),
    bind(C::Logs, &[key(KeyCode::Esc), ch('h'), key(KeyCode::Left)], A::Back, "close the logs", "close"),
    bind(C::Faults, &[ch('j'), key(KeyCode::Down)], A::Down, "next fault", ""),
    bind(C::Faults, &[ch('k'), key(KeyCode::Up)], A::Up, "previous fault", ""),
    bind(C::Faults, &[ch('g'), key(KeyCode::Home)], A::Top, "first fault", ""),
    bind(C::Faults, &[ch('G'), key(KeyCode::End)], A::Bottom, "last fault", ""),
    bind(C::Faults, &[ch('t')], A::NextTarget, "aim the fault at the next target", "target"),
    bind(C::Faults, &[key(KeyCode::Enter), ch('i')], A::InjectFault, "inject the fault with its default parameters (asks first)", "inject"),
    bind(C::Faults, &[ch('p')], A::EditParams, "set the fault's parameters, then inject", "params"),
    bind(C::Faults, &[ch('c')], A::ClearFault, "clear this fault", "clear"),
    bind(C::Faults, &[ch('C')], A::ClearAllFaults, "clear every active fault", ""),
    bind(C::Faults, &[key(KeyCode::Esc), ch('h'), key(KeyCode::Left)], A::Back, "back to the list", "back"),
    bind(C::FaultParams, &[key(KeyCode::Down)], A::Down, "next parameter", "next"),
    bind(C::FaultParams, &[key(KeyCode::Up)], A::Up, "previous parameter", ""),
    bind(C::FaultParams, &[key(KeyCode::Enter)], A::InjectFault, "inject with these values (asks first)", "inject"),
    bind(C::FaultParams, &[key(KeyCode::Esc)], A::CancelEdit, "cancel, keep nothing", "cancel"),
    bind(C::FaultParams, &[key(KeyCode::Backspace)], A::DeleteChar, "delete a character", ""),
    bind(C::FaultParams, &[ctrl('u')], A::ClearValue, "clear the value", ""),
    bind(C::Confirm, &[ch('y'), key(KeyCode::Enter)], A::Yes, "yes, do it", "yes"),
    bind(C::Confirm, &[ch('n'), key(KeyCode::Esc)], A::No, "no, cancel", "no"),
    bind(C::Filter, &[key(KeyCode::Enter)], A::AcceptFilter, "keep the filter or search", "keep"),
    bind(C::Filter, &[key(KeyCode::Esc)], A::CancelFilter, "cancel the filter or search", "cancel"),
    bind(C::Filter, &[key(KeyCode::Backspace)], A::DeleteChar, "delete a character", ""),
    bind(C::Help, &[ch('?'), key(KeyCode::Esc), ch('q')], A::ToggleHelp, "close the help", "close"),
    bind(C::Help, &[ch('j'), key(KeyCode::Down)], A::Down, "scroll down", ""),
    bind(C::Help, &[ch('k'), key(KeyCode::Up)], A::Up, "scroll up", ""),
];

/// The action bound to `event` in `context`, if any.
pub fn lookup(context: Context, event: &KeyEvent) -> Option<Action> {
    BINDINGS
        .iter()
        .filter(|b| b.context == context)
        .find(|b| b.keys.iter().any(|k| k.matches(event)))
        .map(|b| b.action)
}

/// The footer's hints for the active contexts, in the order given, as (keys, word) pairs.
pub fn hints(contexts: &[Context]) -> Vec<(String, &'static str)> {
    contexts
        .iter()
        .flat_map(|c| {
            BINDINGS
                .iter()
                .filter(move |b| b.context == *c && !b.short.is_empty())
        })
        .map(|b| (keys_label(b), b.short))
        .collect()
}

/// All bindings of a context, for the help overlay and the README check.
pub fn help_rows(context: Context) -> impl Iterator<Item = (String, &'static str)> {
    BINDINGS
        .iter()
        .filter(move |b| b.context == context)
        .map(|b| (keys_label(b), b.help))
}

pub fn keys_label(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(Key::label)
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        for context in Context::ALL {
            let mut seen = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.context == context) {
                for k in b.keys {
                    assert!(!seen.contains(k), "{k:?} bound twice in {context:?}");
                    seen.push(*k);
                }
            }
        }
    }

    #[test]
    fn pane_keys_do_not_shadow_global_keys() {
        let global: Vec<Key> = BINDINGS
            .iter()
            .filter(|b| b.context == C::Global)
            .flat_map(|b| b.keys.iter().copied())
            .collect();
        for b in BINDINGS.iter().filter(|b| {
            matches!(
                b.context,
                C::Navigator
                    | C::Reader
                    | C::Stack
                    | C::Logs
                    | C::Faults
                    | C::Query
                    | C::Alerts
                    | C::Challenge
                    | C::Interview
            )
        }) {
            for k in b.keys {
                assert!(
                    !global.contains(k),
                    "{k:?} in {:?} is also global",
                    b.context
                );
            }
        }
    }

    #[test]
    fn typing_contexts_leave_every_plain_character_to_the_text() {
        for b in BINDINGS.iter().filter(|b| {
            matches!(
                b.context,
                C::Filter
                    | C::FaultParams
                    | C::QueryEditor
                    | C::RangePrompt
                    | C::SilenceForm
                    | C::AnswerForm
            )
        }) {
            for k in b.keys {
                assert!(
                    k.ctrl || !matches!(k.code, KeyCode::Char(_)),
                    "{k:?} in {:?} could not be typed",
                    b.context
                );
            }
        }
    }

    #[test]
    fn lookup_finds_actions_by_context_and_modifiers() {
        assert_eq!(lookup(C::Global, &press(KeyCode::Char('q'))), Some(A::Quit));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(lookup(C::Global, &ctrl_c), Some(A::Quit));
        assert_eq!(lookup(C::Global, &press(KeyCode::Char('c'))), None);
        assert_eq!(
            lookup(C::Reader, &press(KeyCode::Char('c'))),
            Some(A::MarkComplete)
        );
        let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(lookup(C::Navigator, &shift_g), Some(A::Bottom));
        assert_eq!(lookup(C::Navigator, &press(KeyCode::Char('n'))), None);
    }

    #[test]
    fn hints_are_short_and_come_from_the_table() {
        let hints = hints(&[C::Global]);
        assert!(hints.contains(&("q/Ctrl-c".to_string(), "quit")));
        assert!(hints.contains(&("?".to_string(), "help")));
        assert!(
            !hints.iter().any(|(k, _)| k == "1"),
            "list switching is in the help only"
        );
    }
}
