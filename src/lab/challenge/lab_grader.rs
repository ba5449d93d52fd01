//! The grader every front end uses: choices, numbers, queries and rubrics checked with the
//! lab's own Prometheus, Loki and Tempo (`lab::grading`), and the symptom probe the
//! warm-up polls.

use std::time::Duration;

use super::{GradeError, Grader, QuestionResult};
use crate::lab::content::Question;
use crate::lab::grading::{self, Backends};
use crate::lab::query::{ClientOptions, PrometheusClient, QueryWindow};
use crate::lab::stack::LabState;

/// Grades through the lab's backends: numbers from a reference query and query answers are
/// run against the lab's own Prometheus, Loki and Tempo.
#[derive(Debug, Clone)]
pub struct LabGrader {
    backends: Result<Backends, String>,
}

impl LabGrader {
    pub fn of(state: &LabState) -> Self {
        let backends = Backends::from_urls(
            state.url("prometheus"),
            state.url("loki"),
            state.url("tempo"),
        )
        .map_err(|e| e.to_string());
        Self { backends }
    }

    /// Grade one question now (lesson exercises are graded one at a time).
    pub async fn grade_now(
        &self,
        expect: &crate::lab::content::Expectation,
        points: u32,
        answer: &str,
    ) -> Result<QuestionResult, GradeError> {
        let backends = self.backends.as_ref().map_err(|e| GradeError(e.clone()))?;
        let at = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
        let verdict = grading::grade_question(expect, points, answer, backends, at).await;
        Ok(result_of(verdict))
    }
}

impl Grader for LabGrader {
    async fn grade(
        &self,
        question: &Question,
        answer: &str,
        at: f64,
    ) -> Result<QuestionResult, GradeError> {
        let backends = self.backends.as_ref().map_err(|e| GradeError(e.clone()))?;
        let verdict =
            grading::grade_question(&question.expect, question.points, answer, backends, at).await;
        Ok(result_of(verdict))
    }
}

/// A verdict as the session keeps it: the rubric's matched and missed concepts become
/// feedback lines.
pub fn result_of(verdict: grading::Verdict) -> QuestionResult {
    let mut feedback = verdict.feedback;
    if !verdict.matched.is_empty() {
        feedback.push(format!("covered: {}", verdict.matched.join("; ")));
    }
    if !verdict.missed.is_empty() {
        feedback.push(format!("missed: {}", verdict.missed.join("; ")));
    }
    QuestionResult {
        earned: verdict.earned,
        max: verdict.max,
        correct: verdict.correct,
        feedback,
    }
}

/// A client for the lab's Prometheus that answers a symptom query within 5 s, or why not.
pub fn symptom_client(state: &LabState) -> Result<PrometheusClient, String> {
    let url = state
        .url("prometheus")
        .ok_or_else(|| "the lab has no Prometheus".to_string())?;
    PrometheusClient::with_options(url, &ClientOptions::with_timeout(Duration::from_secs(5)))
        .map_err(|e| format!("cannot reach Prometheus at {url}: {e}"))
}

/// Whether a fault's symptom query returns data now.
pub async fn symptom_shows(client: &PrometheusClient, query: &str) -> bool {
    client
        .query(query, QueryWindow::Instant { time: None })
        .await
        .is_ok_and(|o| !o.data.is_empty())
}
