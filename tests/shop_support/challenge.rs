//! What the challenge tests against a shop lab share: labtui run as a learner runs it, and
//! the faults the payments service itself says are active (asked of its admin API).

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use labtui::lab::stack::LabState;

use super::{client, wait_for};

/// `labtui ARGS` with this lab's LABTUI_HOME and the shipped content, without colour.
pub fn labtui(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_labtui"))
        .args(args)
        .env("LABTUI_HOME", home)
        .env("LABTUI_CONTENT", env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run labtui")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The faults the payments service itself says are active.
pub async fn payments_faults(state: &LabState, token: &str) -> Vec<serde_json::Value> {
    client()
        .get(format!(
            "{}/admin/faults",
            state.url("shop-payments").expect("payments")
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("admin API")
        .json()
        .await
        .expect("a JSON list")
}

/// Polls (15 s at most) until payments has no fault active.
pub async fn wait_until_payments_is_clean(state: &LabState, token: &str) {
    wait_for(
        "no fault active in payments",
        Duration::from_secs(15),
        || {
            let (state, token) = (state.clone(), token.to_string());
            async move {
                payments_faults(&state, &token)
                    .await
                    .is_empty()
                    .then_some(())
            }
        },
    )
    .await;
}
