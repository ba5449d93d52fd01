//! The Alerts tab of the Query pane: Prometheus' alerting rules with their state,
//! Alertmanager's groups, its silences (create from an alert, expire), and the pages the
//! console's webhook received.
//!
//! Refreshed every few seconds while shown; every fetch goes out as a `Cmd`.

pub mod view;

use std::time::Duration;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::lab::alerts::Notification;
use crate::lab::query::alertmanager::{AlertGroup, Matcher, NewSilence, Silence, SilenceState};
use crate::lab::query::prometheus::{AlertState, AlertingRule, Rule, RuleGroup};
use crate::lab::query::{Labels, QueryLang};

use super::super::app::Cmd;
use super::super::keymap::Action;
use super::Reply;
use super::query::range::parse_duration;

/// How often the tab refreshes while it is in front.
pub const REFRESH_EVERY: Duration = Duration::from_secs(5);

/// The tab's sections, in the order ← / → visit them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Rules,
    Groups,
    Silences,
    Pages,
}

pub const SECTIONS: [Section; 4] = [
    Section::Rules,
    Section::Groups,
    Section::Silences,
    Section::Pages,
];

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Self::Rules => "Rules",
            Self::Groups => "Alertmanager",
            Self::Silences => "Silences",
            Self::Pages => "Pages",
        }
    }
}

/// What one refresh fetched; each part fails on its own (Alertmanager may be down while
/// Prometheus answers).
#[derive(Debug, Clone, PartialEq)]
pub struct AlertsSnapshot {
    pub rules: Result<Vec<RuleGroup>, String>,
    pub groups: Result<Vec<AlertGroup>, String>,
    pub silences: Result<Vec<Silence>, String>,
}

/// An alerting rule with the group it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleRow {
    pub group: String,
    pub rule: AlertingRule,
}

impl RuleRow {
    /// The worst state among the rule's alerts (firing beats pending).
    pub fn state(&self) -> AlertState {
        self.rule.state
    }

    /// When the oldest active alert of the rule became active.
    pub fn active_since(&self) -> Option<DateTime<Utc>> {
        self.rule.alerts.iter().filter_map(|a| a.active_at).min()
    }

    /// The highest current value among its alerts: what the expression returns now.
    pub fn value(&self) -> Option<f64> {
        self.rule
            .alerts
            .iter()
            .map(|a| a.value)
            .fold(None, |m, v| Some(m.map_or(v, |m: f64| m.max(v))))
    }
}

/// The silence being written, from a selected alert's labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceForm {
    pub matchers: Labels,
    pub duration: String,
    pub comment: String,
    /// 0: duration, 1: comment.
    pub field: usize,
    pub error: Option<String>,
}

/// One notification the console's webhook received, as an on-call engineer's pager shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub received_at: DateTime<Utc>,
    /// `firing` or `resolved`.
    pub status: String,
    pub text: String,
}

/// Pages kept, newest first.
const MAX_PAGES: usize = 200;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertsTab {
    pub pages: Vec<Page>,
    pub section: usize,
    pub selected: usize,
    pub rules: Option<Result<Vec<RuleRow>, String>>,
    pub groups: Option<Result<Vec<AlertGroup>, String>>,
    pub silences: Option<Result<Vec<Silence>, String>>,
    pub form: Option<SilenceForm>,
    pub loading: bool,
    since_load: Duration,
    next_id: u64,
    in_flight: Option<u64>,
}

/// What a key on the tab did: a reply for the app, or (`Err`) a rule's expression that
/// the pane around it should open in the PromQL tab.
pub type AlertsOutcome = Option<Result<Reply, (QueryLang, String)>>;

impl AlertsTab {
    pub fn section(&self) -> Section {
        SECTIONS[self.section % SECTIONS.len()]
    }

    /// Logs each alert of a webhook notification as a page.
    pub fn on_notification(&mut self, notification: &Notification) {
        for alert in &notification.alerts {
            let mut text = alert.name.clone();
            if let Some(summary) = &alert.summary {
                text.push_str(&format!(" — {summary}"));
            }
            self.pages.insert(
                0,
                Page {
                    received_at: notification.received_at,
                    status: alert.status.clone(),
                    text,
                },
            );
        }
        self.pages.truncate(MAX_PAGES);
    }

    pub fn is_typing(&self) -> bool {
        self.form.is_some()
    }

    /// Asks for a refresh now (unless one is on its way).
    pub fn load(&mut self) -> Vec<Cmd> {
        if self.in_flight.is_some() {
            return Vec::new();
        }
        self.next_id += 1;
        self.in_flight = Some(self.next_id);
        self.loading = true;
        self.since_load = Duration::ZERO;
        vec![Cmd::LoadAlerts { id: self.next_id }]
    }

    pub fn on_tick(&mut self, elapsed: Duration) -> Vec<Cmd> {
        self.since_load += elapsed;
        if self.since_load >= REFRESH_EVERY || self.rules.is_none() {
            return self.load();
        }
        Vec::new()
    }

    pub fn on_loaded(&mut self, id: u64, snapshot: AlertsSnapshot) {
        if self.in_flight != Some(id) {
            return;
        }
        self.in_flight = None;
        self.loading = false;
        self.rules = Some(snapshot.rules.map(|groups| {
            let mut rows: Vec<RuleRow> = groups
                .into_iter()
                .flat_map(|g| {
                    let group = g.name;
                    g.rules.into_iter().filter_map(move |r| match r {
                        Rule::Alerting(rule) => Some(RuleRow {
                            group: group.clone(),
                            rule,
                        }),
                        Rule::Recording(_) => None,
                    })
                })
                .collect();
            // Firing first, then pending, then the quiet ones; by name within each.
            rows.sort_by_key(|r| (state_rank(r.state()), r.rule.name.clone()));
            rows
        }));
        self.groups = Some(snapshot.groups);
        self.silences = Some(snapshot.silences.map(|mut s| {
            s.sort_by_key(|s| (s.status.state != SilenceState::Active, s.ends_at));
            s
        }));
        self.selected = self.selected.min(self.len().saturating_sub(1));
    }

    /// Rows in the current section (pages are counted by the view, which owns them).
    fn len(&self) -> usize {
        match self.section() {
            Section::Rules => ok_len(&self.rules),
            Section::Groups => match &self.groups {
                Some(Ok(groups)) => groups.iter().map(|g| g.alerts.len()).sum(),
                _ => 0,
            },
            Section::Silences => ok_len(&self.silences),
            Section::Pages => self.pages.len(),
        }
    }

    pub fn on_action(&mut self, action: Action) -> AlertsOutcome {
        match action {
            Action::CursorLeft | Action::CursorRight => {
                let n = SECTIONS.len();
                self.section = if action == Action::CursorRight {
                    (self.section + 1) % n
                } else {
                    (self.section + n - 1) % n
                };
                self.selected = 0;
            }
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => {
                self.selected = (self.selected + 1).min(self.len().saturating_sub(1));
            }
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = self.len().saturating_sub(1),
            Action::Rerun => return Some(Ok(Reply::cmds(self.load()))),
            Action::Open => return self.open_rule(),
            Action::NewSilence => return self.start_silence(),
            Action::ExpireSilence => return self.expire(),
            _ => return None,
        }
        Some(Ok(Reply::default()))
    }

    fn open_rule(&self) -> AlertsOutcome {
        let expr = match (self.section(), &self.rules) {
            (Section::Rules, Some(Ok(rows))) => {
                rows.get(self.selected).map(|r| r.rule.query.clone())
            }
            _ => None,
        };
        match expr {
            Some(expr) => Some(Err((QueryLang::PromQL, expr))),
            None => Some(Ok(Reply::warn(
                "select an alerting rule in Rules to open its expression",
            ))),
        }
    }

    /// The labels of the alert under the cursor: a rule's first alert, or an Alertmanager alert.
    fn selected_alert_labels(&self) -> Option<Labels> {
        match self.section() {
            Section::Rules => {
                let rows = self.rules.as_ref()?.as_ref().ok()?;
                let row = rows.get(self.selected)?;
                Some(match row.rule.alerts.first() {
                    Some(alert) => alert.labels.clone(),
                    None => Labels::from([("alertname".to_string(), row.rule.name.clone())]),
                })
            }
            Section::Groups => {
                let groups = self.groups.as_ref()?.as_ref().ok()?;
                groups
                    .iter()
                    .flat_map(|g| &g.alerts)
                    .nth(self.selected)
                    .map(|a| a.labels.clone())
            }
            _ => None,
        }
    }

    fn start_silence(&mut self) -> AlertsOutcome {
        let Some(matchers) = self.selected_alert_labels() else {
            return Some(Ok(Reply::warn(
                "select an alert (in Rules or Alertmanager) to silence it",
            )));
        };
        self.form = Some(SilenceForm {
            matchers,
            duration: "1h".into(),
            comment: String::new(),
            field: 1,
            error: None,
        });
        Some(Ok(Reply::default()))
    }

    fn expire(&self) -> AlertsOutcome {
        let silence = match (self.section(), &self.silences) {
            (Section::Silences, Some(Ok(s))) => s.get(self.selected),
            _ => None,
        };
        match silence {
            Some(s) if s.status.state != SilenceState::Expired => Some(Ok(Reply::confirm(
                format!(
                    "Expire silence {} ({})?",
                    short_id(&s.id),
                    matchers_text(&s.matchers)
                ),
                vec![Cmd::ExpireSilence { id: s.id.clone() }],
            ))),
            Some(_) => Some(Ok(Reply::warn("that silence has already expired"))),
            None => Some(Ok(Reply::warn("select a silence in Silences to expire it"))),
        }
    }

    /// Keys while the silence form is open.
    pub fn on_typing(
        &mut self,
        key: KeyEvent,
        action: Option<Action>,
        now: DateTime<Utc>,
    ) -> Reply {
        let Some(form) = &mut self.form else {
            return Reply::default();
        };
        match action {
            Some(Action::CancelEdit) => self.form = None,
            Some(Action::Complete) => form.field = 1 - form.field,
            Some(Action::DeleteChar) => {
                let text = if form.field == 0 {
                    &mut form.duration
                } else {
                    &mut form.comment
                };
                text.pop();
            }
            Some(Action::RunQuery) => match parse_duration(&form.duration) {
                Ok(length) => {
                    let silence = NewSilence {
                        matchers: form
                            .matchers
                            .iter()
                            .map(|(k, v)| Matcher::equal(k, v))
                            .collect(),
                        starts_at: now,
                        ends_at: now
                            + chrono::Duration::from_std(length)
                                .unwrap_or(chrono::Duration::hours(1)),
                        created_by: "labtui".into(),
                        comment: if form.comment.trim().is_empty() {
                            "silenced from labtui".into()
                        } else {
                            form.comment.trim().to_string()
                        },
                    };
                    self.form = None;
                    return Reply::cmds(vec![Cmd::CreateSilence(silence)]);
                }
                Err(e) => form.error = Some(e),
            },
            _ => {
                if let KeyCode::Char(c) = key.code
                    && !key.modifiers.contains(KeyModifiers::CONTROL)
                {
                    let text = if form.field == 0 {
                        &mut form.duration
                    } else {
                        &mut form.comment
                    };
                    text.push(c);
                }
            }
        }
        Reply::default()
    }
}

fn ok_len<T>(v: &Option<Result<Vec<T>, String>>) -> usize {
    match v {
        Some(Ok(v)) => v.len(),
        _ => 0,
    }
}

fn state_rank(state: AlertState) -> u8 {
    match state {
        AlertState::Firing => 0,
        AlertState::Pending => 1,
        _ => 2,
    }
}

pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// `alertname="HighErrorRate", service="payments"`.
pub fn matchers_text(matchers: &[Matcher]) -> String {
    matchers
        .iter()
        .map(|m| {
            let op = match (m.is_equal, m.is_regex) {
                (true, false) => "=",
                (false, false) => "!=",
                (true, true) => "=~",
                (false, true) => "!~",
            };
            format!("{}{op}\"{}\"", m.name, m.value)
        })
        .collect::<Vec<_>>()
        .join(", ")
}
