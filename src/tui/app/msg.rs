//! The messages `update` takes, the effects it asks for, and the small values they carry.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use std::time::Duration;

use crate::lab::alerts::Notification;
use crate::lab::challenge::{Ended, QuestionResult, Reconciled, Session, Submission, WarmUp};
use crate::lab::content::{Challenge, Expectation};
use crate::lab::faults::{ActiveFault, InjectRequest};
use crate::lab::progress::ItemProgress;
use crate::lab::progress::Progress;
use crate::lab::query::alertmanager::NewSilence;
use crate::lab::query::history::History;
use crate::lab::query::logs::TailFrame;
use crate::lab::query::prometheus::ExemplarSeries;
use crate::lab::query::traces::Trace;
use crate::lab::query::{InstantSeries, QueryError, QueryLang, QueryOutcome, QueryWindow};
use crate::lab::shop::traffic::TrafficStatus;
use crate::lab::stack::{ComponentStatus, ControlAction, UpEvent};

use super::super::panes::alerts::AlertsSnapshot;
use super::super::panes::query::complete::Known;

/// Which request a query run may supersede: the results area's, or one explain node's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuerySlot {
    Main,
    Node(usize),
    /// The trace being opened.
    Trace,
    /// The syntax check of the editor's text.
    Check,
}

/// A yes/no question in front of everything else.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub question: String,
    pub on_yes: Vec<Cmd>,
}

/// What the lab poll found: the runtime and each component, or nothing running.
pub type LabSnapshot = Option<(String, Vec<ComponentStatus>)>;

/// Inputs to `update`: terminal events, the clock, and results of effects.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resized {
        width: u16,
        height: u16,
    },
    Tick {
        elapsed: Duration,
        now: DateTime<Utc>,
    },
    ProgressSaved(Result<(), String>),
    LabPolled {
        id: u64,
        result: Result<LabSnapshot, String>,
    },
    ComponentControlled {
        component: String,
        action: ControlAction,
        result: Result<(), String>,
    },
    LogsLoaded {
        component: String,
        result: Result<Vec<String>, String>,
    },
    /// Alertmanager delivered a notification to the console's webhook.
    AlertsReceived(Notification),
    /// The console could not listen for alerts (port taken…).
    AlertsUnavailable(String),
    /// The faults active in the lab (polled with the lab).
    FaultsPolled(Result<Vec<ActiveFault>, String>),
    FaultInjected(Result<ActiveFault, String>),
    FaultsCleared(Result<Vec<ActiveFault>, String>),
    /// The traffic generator's rate and counters (polled with the lab, or after a change).
    TrafficUpdated(Result<TrafficStatus, String>),
    /// Which runtime `StartLab` picked, and why.
    LabUpChose(String),
    LabUpProgressed(UpEvent),
    LabUpFinished(Result<String, String>),
    /// A query's answer, by the id it was sent with.
    QueryFinished {
        id: u64,
        result: Result<QueryOutcome, QueryError>,
    },
    /// A language's names for completion (metrics and labels, Loki's labels, Tempo's
    /// attributes).
    NamesLoaded {
        lang: QueryLang,
        result: Result<Known, String>,
    },
    LabelValuesLoaded {
        lang: QueryLang,
        label: String,
        result: Result<Vec<String>, String>,
    },
    /// Rules, Alertmanager groups and silences for the Alerts tab.
    AlertsLoaded {
        id: u64,
        snapshot: AlertsSnapshot,
    },
    /// A silence was created or expired (the message says which), or why not.
    SilenceChanged(Result<String, String>),
    /// A whole trace by id; `None` when Tempo does not have it.
    TraceLoaded {
        id: u64,
        result: Result<Option<Trace>, QueryError>,
    },
    ExemplarsLoaded {
        id: u64,
        result: Result<Vec<ExemplarSeries>, QueryError>,
    },
    /// Tempo's service-graph rates in Prometheus: requests and failed requests per edge.
    ServiceMapLoaded {
        id: u64,
        result: Result<(Vec<InstantSeries>, Vec<InstantSeries>), QueryError>,
    },
    /// The backend's syntax check of `expr` (LogQL: Loki's format_query).
    SyntaxChecked {
        lang: QueryLang,
        expr: String,
        result: Result<(), String>,
    },
    /// Something happened to the live tail with this id.
    Tailed {
        id: u64,
        update: TailUpdate,
    },
    /// A challenge's session began and its faults are in (or why not).
    ChallengeStarted(Result<Box<Session>, String>),
    /// Progress of the wait for the faults' symptoms.
    ChallengeWarmUp(WarmUp),
    /// The wait is over; the symptoms that never showed, and the session with its clock
    /// started now (None when the session file could not be updated).
    ChallengeReady {
        missing: Vec<String>,
        session: Option<Box<Session>>,
    },
    /// An answer or a hint reached the session file (the session as saved), or why not.
    ChallengeSaved(Result<Box<Session>, String>),
    ChallengeSubmitted(Result<Box<Submission>, String>),
    /// The challenge was abandoned (its faults cleared); quit afterwards if asked to.
    ChallengeAbandoned {
        result: Result<Box<Ended>, String>,
        then_quit: bool,
    },
    /// What the reconcile found: a time-out, cleared leftovers, and the session on disk.
    ChallengeReconciled(Result<Box<(Reconciled, Option<Session>)>, String>),
    /// A challenge's progress as the session's operations recorded it on disk.
    ChallengeProgress {
        id: String,
        item: ItemProgress,
    },
    /// A lesson exercise's grade.
    ExerciseGraded {
        lesson: String,
        exercise: String,
        result: Result<QuestionResult, String>,
    },
    /// SIGTERM, SIGHUP or the terminal going away.
    Terminate,
}

/// Effects `update` asks the runtime to perform.
#[derive(Debug, Clone, PartialEq)]
pub enum Cmd {
    SaveProgress(Progress),
    /// Run a lesson's query in the query pane; `id` lets stale results be dropped.
    /// Run a query; a newer one in the same slot supersedes it.
    RunQuery {
        id: u64,
        lang: QueryLang,
        expr: String,
        window: QueryWindow,
        slot: QuerySlot,
    },
    /// Fetch a language's names for completion from its backend.
    LoadNames {
        lang: QueryLang,
    },
    LoadTrace {
        id: u64,
        trace_id: String,
    },
    /// Exemplars of a query's series over a window (unix seconds).
    LoadExemplars {
        id: u64,
        expr: String,
        start: f64,
        end: f64,
    },
    LoadServiceMap {
        id: u64,
    },
    /// Ask the backend whether `expr` parses, without running it.
    CheckSyntax {
        lang: QueryLang,
        expr: String,
    },
    /// Stream a LogQL query's new lines until `StopTail` (one tail at a time).
    StartTail {
        id: u64,
        expr: String,
    },
    StopTail,
    /// Fetch the values of a label (a TraceQL attribute) from `lang`'s backend.
    LoadLabelValues {
        lang: QueryLang,
        label: String,
    },
    LoadAlerts {
        id: u64,
    },
    CreateSilence(NewSilence),
    ExpireSilence {
        id: String,
    },
    SaveHistory(History),
    /// Read the lab state and ask its runtime for each component's status.
    PollLab {
        id: u64,
    },
    ControlComponent {
        component: String,
        action: ControlAction,
    },
    LoadLogs {
        component: String,
        tail: usize,
    },
    /// Start the lab with the configured runtime, streaming progress back.
    StartLab,
    InjectFault(InjectRequest),
    /// Clear one fault by name, or all.
    ClearFaults(Option<String>),
    /// Change the shop's traffic rate (for `burst_seconds`, then back).
    SetTraffic {
        rps: f64,
        burst_seconds: Option<u64>,
    },
    /// Start a challenge: its session, its faults, the wait for their symptoms.
    StartChallenge(Box<Challenge>),
    AnswerChallenge {
        challenge: Box<Challenge>,
        question: String,
        value: String,
    },
    RevealHint(Box<Challenge>),
    SubmitChallenge(Box<Challenge>),
    AbandonChallenge {
        id: String,
        then_quit: bool,
    },
    /// Time out a session past its deadline and clear leftover challenge faults.
    ReconcileChallenge,
    /// Grade one lesson exercise (against the lab when it needs it).
    GradeExercise {
        lesson: String,
        exercise: String,
        expect: Box<Expectation>,
        points: u32,
        answer: String,
    },
    /// End the interview (after a yes): nothing for the runtime to do.
    EndInterview,
    Quit,
}

/// What a live tail reports.
#[derive(Debug, Clone, PartialEq)]
pub enum TailUpdate {
    Connected,
    Frame(TailFrame),
    /// The connection was lost; it is being made again.
    Reconnecting {
        error: String,
        attempt: u32,
    },
    /// The tail stopped for good (its reason).
    Ended(String),
}

/// A one-line message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub is_error: bool,
}
