//! Challenge and drill files on their own: each broken variant yields exactly one problem at
//! the right line and field.

use super::samples::{CHALLENGE, DRILL, assert_one, edit, problems_of};
use crate::lab::content::model::{DrillKind, ItemKind, ParamValue, Tier};
use crate::lab::content::parse::AnyItem;

use ItemKind::{Challenge as C, Drill as D};

#[test]
fn valid_challenge_and_drill_parse_cleanly() {
    let (Some(AnyItem::Challenge(c)), problems) = problems_of(C, CHALLENGE) else {
        panic!("not a challenge");
    };
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(c.tier, Tier::SingleService);
    assert_eq!(c.faults[0].params["ms"], ParamValue::Int(800));
    assert_eq!(c.faults[0].params["probability"], ParamValue::Float(0.5));
    assert_eq!(
        (c.briefing.as_str(), c.solution.as_str()),
        ("Checkout is slow.", "It was payments.")
    );

    let (Some(AnyItem::Drill(d)), problems) = problems_of(D, DRILL) else {
        panic!("not a drill");
    };
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        (d.kind, d.pass, d.rubric[0].weight),
        (DrillKind::Concept, 0.5, 2.0)
    );
    assert_eq!(d.example_answer, "Because counters reset.");
}

#[test]
fn challenge_rules() {
    assert_one(
        C,
        &edit(CHALLENGE, "fault = \"latency\"", "fault = \"slow\""),
        29,
        Some("ground_truth.fault"),
        "`slow` is not one of this challenge's [[faults]] (latency)",
    );
    assert_one(
        C,
        &edit(CHALLENGE, "cost = 2", "cost = 10"),
        23,
        Some("hints"),
        "hint costs add up to 10",
    );
    let capitalised = edit(CHALLENGE, "name = \"latency\"", "name = \"Latency\"");
    let capitalised = edit(&capitalised, "fault = \"latency\"", "fault = \"Latency\"");
    assert_one(C, &capitalised, 10, Some("faults[0].name"), "snake_case");
    assert_one(
        C,
        &edit(CHALLENGE, "points = 10", "points = 0"),
        17,
        Some("questions[0].points"),
        "more than 0",
    );
    assert_one(
        C,
        &edit(CHALLENGE, "tier = \"single-service\"", "tier = \"hard\""),
        6,
        Some("tier"),
        "unknown variant `hard`",
    );
    assert_one(
        C,
        &edit(CHALLENGE, "probability = 0.5", "probability = [0.5]"),
        12,
        Some("faults[0].params.probability"),
        "a number, string or boolean",
    );
    let no_questions = edit(
        CHALLENGE,
        "[[questions]]\nid = \"service\"\nprompt = \"Which service?\"\npoints = 10\n[questions.expect]\nkind = \"choice\"\noptions = [\"orders\", \"payments\"]\nanswer = \"payments\"\n",
        "",
    );
    assert_one(
        C,
        &no_questions,
        2,
        Some("questions"),
        "at least one [[questions]]",
    );
    assert_one(
        C,
        &edit(CHALLENGE, "## Solution", "## Answer"),
        32,
        None,
        "no `## Solution` heading",
    );
}

#[test]
fn drill_rules() {
    assert_one(
        D,
        &edit(DRILL, "pass = 0.5", "pass = 0"),
        8,
        Some("pass"),
        "above 0",
    );
    assert_one(
        D,
        &edit(DRILL, "weight = 2.0", "weight = 0.0"),
        14,
        Some("rubric[0].weight"),
        "above 0",
    );
    assert_one(
        D,
        &edit(DRILL, "kind = \"concept\"", "kind = \"trivia\""),
        6,
        Some("kind"),
        "explain-this-dashboard",
    );
    assert_one(
        D,
        &edit(DRILL, "## Example answer", "## Answer"),
        16,
        None,
        "no `## Example answer` heading",
    );
    assert_one(
        D,
        &edit(
            DRILL,
            "question = \"Why use rate() on counters?\"",
            "question = \"\"",
        ),
        7,
        Some("question"),
        "empty",
    );
}
