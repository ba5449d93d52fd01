//! The Stack pane: the lab's components, their state, start/stop/restart, and their logs.

mod update;
mod view;

use std::time::Duration;

use crate::lab::alerts::{Alert, Notification};
use crate::lab::shop::traffic::TrafficStatus;
use crate::lab::stack::{ComponentState, ComponentStatus, ControlAction, UpEvent};

use crate::tui::keymap::Action;

pub use update::LOG_TAIL;
pub use view::draw;

/// What is known about the lab, as last polled.
#[derive(Debug, Clone, PartialEq)]
pub enum LabView {
    /// Not polled yet.
    Checking,
    /// No lab state on disk: nothing was started (or `down` ran).
    NotStarted,
    Running {
        runtime: String,
        components: Vec<ComponentStatus>,
    },
    /// The poll itself failed (unreadable state file, engine gone…).
    Failed(String),
}

/// The logs of one component, tailed while open.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogView {
    pub component: String,
    pub lines: Vec<String>,
    /// First visible line when not following the end.
    pub scroll: usize,
    pub follow: bool,
    pub search: String,
    pub searching: bool,
    pub error: Option<String>,
}

impl LogView {
    /// Lines that match the search (all when it is empty), with their index.
    pub fn visible(&self) -> Vec<(usize, &str)> {
        let needle = self.search.to_lowercase();
        self.lines
            .iter()
            .enumerate()
            .filter(|(_, l)| needle.is_empty() || l.to_lowercase().contains(&needle))
            .map(|(i, l)| (i, l.as_str()))
            .collect()
    }

    pub fn top(&self, height: usize) -> usize {
        let len = self.visible().len();
        if self.follow {
            len.saturating_sub(height)
        } else {
            self.scroll.min(len.saturating_sub(height))
        }
    }

    fn scroll_by(&mut self, delta: isize, height: usize) {
        let top = self.top(height);
        let max = self.visible().len().saturating_sub(height);
        self.scroll = top.saturating_add_signed(delta).min(max);
        self.follow = self.scroll >= max;
    }
}

/// A lab start in progress, shown line by line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpProgress {
    pub lines: Vec<String>,
    pub done: bool,
}

/// The pane's state.
#[derive(Debug, Clone, PartialEq)]
pub struct StackPane {
    pub lab: LabView,
    pub selected: usize,
    pub logs: Option<LogView>,
    pub up: Option<UpProgress>,
    /// A control action waiting for its result (`restarting prometheus…`).
    pub busy: Option<String>,
    /// The shop's traffic generator, when the lab runs one.
    pub traffic: Option<TrafficStatus>,
    /// A rate change was asked for: report its failure (polls fail quietly).
    pub traffic_change_pending: bool,
    /// Each alert Alertmanager told the console about, latest state, newest first.
    pub alerts: Vec<Alert>,
    /// Why alerts cannot be received, when they cannot.
    pub alerts_note: Option<String>,
    /// Time since the open logs were last tailed.
    since_logs: Duration,
}

/// Rates `+` and `-` step through, in requests per second.
pub const TRAFFIC_STEPS: [f64; 8] = [0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0];
/// How long `b` bursts, and how much harder.
pub const BURST_SECONDS: u64 = 60;
pub const BURST_FACTOR: f64 = 5.0;

/// The next step up (or down) from `rps`.
pub fn step_rate(rps: f64, up: bool) -> f64 {
    if up {
        TRAFFIC_STEPS
            .iter()
            .copied()
            .find(|s| *s > rps + 1e-9)
            .unwrap_or(TRAFFIC_STEPS[TRAFFIC_STEPS.len() - 1])
    } else {
        TRAFFIC_STEPS
            .iter()
            .rev()
            .copied()
            .find(|s| *s < rps - 1e-9)
            .unwrap_or(0.0)
    }
}

/// What the pane asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum StackOutcome {
    Handled,
    Ignored,
    Back,
    Control(String, ControlAction),
    OpenLogs(String),
    StartLab,
    Traffic {
        rps: f64,
        burst_seconds: Option<u64>,
    },
}

impl Default for StackPane {
    fn default() -> Self {
        Self {
            lab: LabView::Checking,
            selected: 0,
            logs: None,
            up: None,
            busy: None,
            traffic: None,
            traffic_change_pending: false,
            alerts: Vec::new(),
            alerts_note: None,
            since_logs: Duration::ZERO,
        }
    }
}

impl StackPane {
    pub fn components(&self) -> &[ComponentStatus] {
        match &self.lab {
            LabView::Running { components, .. } => components,
            _ => &[],
        }
    }

    pub fn selected_component(&self) -> Option<&ComponentStatus> {
        self.components().get(self.selected)
    }

    /// One line for the status bar: what runs and what does not.
    pub fn summary(&self) -> String {
        match &self.lab {
            LabView::Checking => "lab: checking…".into(),
            LabView::NotStarted => "lab: not started".into(),
            LabView::Failed(_) => "lab: unknown (see Stack pane)".into(),
            LabView::Running {
                runtime,
                components,
            } => {
                let ready = components
                    .iter()
                    .filter(|c| c.state == ComponentState::Ready)
                    .count();
                let counted = components
                    .iter()
                    .filter(|c| {
                        !matches!(
                            c.state,
                            ComponentState::NotInstalled | ComponentState::Unavailable
                        )
                    })
                    .count();
                let mut line = format!("lab: {runtime} {ready}/{counted} ready");
                let trouble: Vec<String> = components
                    .iter()
                    .filter(|c| {
                        matches!(
                            c.state,
                            ComponentState::Down
                                | ComponentState::Paused
                                | ComponentState::Starting
                        )
                    })
                    .map(|c| format!("{} {}", c.name, c.state.as_str()))
                    .collect();
                if !trouble.is_empty() {
                    line.push_str(&format!(" ({})", trouble.join(", ")));
                }
                // Trouble first: it belongs to the ready count it explains.
                if let Some(traffic) = &self.traffic {
                    line.push_str(&format!(" · traffic {} rps", rate(traffic.rps)));
                }
                match self.firing() {
                    0 => {}
                    1 => line.push_str(" · 1 alert firing"),
                    n => line.push_str(&format!(" · {n} alerts firing")),
                }
                line
            }
        }
    }

    /// Keeps one entry per alert (by fingerprint): a resolved alert replaces its firing one.
    pub fn on_notification(&mut self, notification: Notification) {
        for alert in notification.alerts {
            self.alerts.retain(|a| a.fingerprint != alert.fingerprint);
            self.alerts.insert(0, alert);
        }
        self.alerts.truncate(50);
    }

    pub fn firing(&self) -> usize {
        self.alerts.iter().filter(|a| a.is_firing()).count()
    }

    pub fn set_lab(&mut self, lab: LabView) {
        self.lab = lab;
        self.selected = self.selected.min(self.components().len().saturating_sub(1));
    }

    pub fn on_up_event(&mut self, event: &UpEvent) {
        let progress = self.up.get_or_insert_with(UpProgress::default);
        let line = describe(event);
        // Pull progress arrives many times a second: keep one updating line per component.
        if let UpEvent::Pulling { component, .. } = event
            && let Some(last) = progress.lines.last_mut()
            && last.starts_with(&format!("{component}: pulling"))
        {
            *last = line;
            return;
        }
        progress.lines.push(line);
    }

    /// Keys while the component list has focus (logs closed).
    pub fn handle(&mut self, action: Action) -> StackOutcome {
        let name = self.selected_component().map(|c| c.name.clone());
        let count = self.components().len();
        match (action, name) {
            (Action::Down, _) => self.selected = (self.selected + 1).min(count.saturating_sub(1)),
            (Action::Up, _) => self.selected = self.selected.saturating_sub(1),
            (Action::Top, _) => self.selected = 0,
            (Action::Bottom, _) => self.selected = count.saturating_sub(1),
            (Action::Back, _) => return StackOutcome::Back,
            (Action::StartLab, _) if matches!(self.lab, LabView::NotStarted) => {
                return StackOutcome::StartLab;
            }
            (Action::Open | Action::ShowLogs, Some(name)) => return StackOutcome::OpenLogs(name),
            (Action::MoreTraffic | Action::LessTraffic, _) if self.traffic.is_some() => {
                let now = self.traffic.as_ref().map_or(0.0, |t| t.base_rps);
                return StackOutcome::Traffic {
                    rps: step_rate(now, action == Action::MoreTraffic),
                    burst_seconds: None,
                };
            }
            (Action::BurstTraffic, _) if self.traffic.is_some() => {
                let now = self.traffic.as_ref().map_or(0.0, |t| t.base_rps);
                return StackOutcome::Traffic {
                    rps: (now.max(1.0) * BURST_FACTOR).min(TRAFFIC_STEPS[TRAFFIC_STEPS.len() - 1]),
                    burst_seconds: Some(BURST_SECONDS),
                };
            }
            (Action::StartComponent, Some(name)) => {
                return StackOutcome::Control(name, ControlAction::Start);
            }
            (Action::StopComponent, Some(name)) => {
                return StackOutcome::Control(name, ControlAction::Stop);
            }
            (Action::RestartComponent, Some(name)) => {
                return StackOutcome::Control(name, ControlAction::Restart);
            }
            _ => return StackOutcome::Ignored,
        }
        StackOutcome::Handled
    }

    /// Keys while a component's logs are open.
    pub fn handle_logs(&mut self, action: Action, height: usize) -> StackOutcome {
        let Some(logs) = &mut self.logs else {
            return StackOutcome::Ignored;
        };
        let page = height.saturating_sub(1).max(1) as isize;
        match action {
            Action::Down => logs.scroll_by(1, height),
            Action::Up => logs.scroll_by(-1, height),
            Action::PageDown => logs.scroll_by(page, height),
            Action::PageUp => logs.scroll_by(-page, height),
            Action::Top => {
                logs.follow = false;
                logs.scroll = 0;
            }
            Action::Bottom => logs.follow = true,
            Action::StartFilter => logs.searching = true,
            Action::Back => self.logs = None,
            _ => return StackOutcome::Ignored,
        }
        StackOutcome::Handled
    }

    /// Typing a log search.
    pub fn handle_search(&mut self, action: Option<Action>, typed: Option<char>) {
        let Some(logs) = &mut self.logs else {
            return;
        };
        match (action, typed) {
            (Some(Action::AcceptFilter), _) => logs.searching = false,
            (Some(Action::CancelFilter), _) => {
                logs.searching = false;
                logs.search.clear();
            }
            (Some(Action::DeleteChar), _) => {
                logs.search.pop();
            }
            (_, Some(c)) if !c.is_control() => logs.search.push(c),
            _ => {}
        }
        logs.follow = true;
    }

    pub fn is_searching(&self) -> bool {
        self.logs.as_ref().is_some_and(|l| l.searching)
    }
}

/// One progress line of `up`, the same words the CLI prints.
pub fn describe(event: &UpEvent) -> String {
    match event {
        UpEvent::Planned { components } => format!("starting {}", components.join(", ")),
        UpEvent::Skipped { component, reason } => format!("{component}: skipped, {reason}"),
        UpEvent::AlreadyRunning { component, url } => {
            format!("{component}: already running at {url}")
        }
        UpEvent::Starting { component, .. } => format!("{component}: starting"),
        UpEvent::WaitingReady { component, url } => format!("{component}: waiting for {url}"),
        UpEvent::Building {
            component, image, ..
        } => format!("{component}: building image {image}"),
        UpEvent::Ready {
            component, took, ..
        } => format!("{component}: ready in {}", seconds(*took)),
        UpEvent::Failed { component, reason } => format!("{component}: failed: {reason}"),
        UpEvent::Pulling {
            component,
            image,
            status,
            current,
            total,
            ..
        } => match (current, total) {
            (Some(c), Some(t)) if *t > 0 => {
                format!(
                    "{component}: pulling {image}: {status} {}/{} MiB",
                    c >> 20,
                    t >> 20
                )
            }
            _ => format!("{component}: pulling {image}: {status}"),
        },
    }
}

/// `2`, `0.5`, `12.5`: a rate without needless decimals.
pub fn rate(rps: f64) -> String {
    if rps.fract().abs() < 1e-9 {
        format!("{rps:.0}")
    } else {
        format!("{rps:.1}")
    }
}

pub fn seconds(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pulling(component: &str, current: u64) -> UpEvent {
        UpEvent::Pulling {
            component: component.into(),
            image: "prom/prometheus:v2.53.4".into(),
            layer: Some("0123456789ab".into()),
            status: "Downloading".into(),
            current: Some(current << 20),
            total: Some(40 << 20),
        }
    }

    fn alert(fingerprint: &str, status: &str) -> Alert {
        Alert {
            status: status.into(),
            name: "HighErrorRate".into(),
            labels: Default::default(),
            summary: None,
            starts_at: None,
            fingerprint: fingerprint.into(),
        }
    }

    #[test]
    fn a_resolved_alert_replaces_its_firing_one() {
        let mut pane = StackPane::default();
        let notify = |alerts| Notification {
            receiver: "labtui".into(),
            status: "firing".into(),
            alerts,
            received_at: chrono::Utc::now(),
        };
        pane.on_notification(notify(vec![alert("a", "firing"), alert("b", "firing")]));
        assert_eq!(pane.firing(), 2);
        pane.on_notification(notify(vec![alert("a", "resolved")]));
        assert_eq!(pane.firing(), 1);
        assert_eq!(pane.alerts.len(), 2);
        assert_eq!(pane.alerts[0].fingerprint, "a", "newest first");
    }

    #[test]
    fn traffic_steps_up_and_down_and_stays_in_range() {
        assert_eq!(step_rate(2.0, true), 5.0);
        assert_eq!(step_rate(2.0, false), 1.0);
        assert_eq!(step_rate(3.0, false), 2.0, "between steps: the step below");
        assert_eq!(step_rate(0.0, false), 0.0);
        assert_eq!(step_rate(100.0, true), 100.0);
        assert_eq!(rate(2.0), "2");
        assert_eq!(rate(0.5), "0.5");
    }

    #[test]
    fn pull_progress_updates_one_line_per_component() {
        let mut pane = StackPane::default();
        pane.on_up_event(&UpEvent::Planned {
            components: vec!["prometheus".into()],
        });
        pane.on_up_event(&pulling("prometheus", 1));
        pane.on_up_event(&pulling("prometheus", 20));
        pane.on_up_event(&pulling("loki", 3));
        let lines = &pane.up.as_ref().expect("progress").lines;
        assert_eq!(lines.len(), 3);
        assert!(lines[1].ends_with("Downloading 20/40 MiB"), "{}", lines[1]);
        assert!(lines[2].starts_with("loki: pulling"));
    }
}
