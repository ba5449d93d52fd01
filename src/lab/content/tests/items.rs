//! Lesson files on their own: the valid sample parses cleanly, and each broken variant yields
//! exactly one problem at the right line and field.

use super::samples::{LESSON, LESSON_PROMQL_FENCE, assert_one, edit, problems_of};
use std::collections::BTreeMap;

use crate::lab::content::model::{Expectation, ItemKind};
use crate::lab::content::parse::AnyItem;
use crate::lab::query::QueryLang;

use ItemKind::Lesson as L;

#[test]
fn valid_lesson_has_every_expectation_kind() {
    let (item, problems) = problems_of(L, LESSON);
    assert!(problems.is_empty(), "{problems:#?}");
    let Some(AnyItem::Lesson(lesson)) = item else {
        panic!("not a lesson");
    };
    assert_eq!(lesson.components, ["prometheus", "shop"]);
    assert!(lesson.body.starts_with("# Rates"), "{}", lesson.body);
    let expects: Vec<_> = lesson.exercises.iter().map(|e| e.expect.clone()).collect();
    assert_eq!(
        expects[0],
        Expectation::Choice {
            options: vec!["orders".into(), "payments".into()],
            answer: Some("payments".into()),
            answers: Vec::new(),
            aliases: BTreeMap::new(),
        }
    );
    assert_eq!(
        expects[1],
        Expectation::Number {
            value: Some(3.0),
            reference: None,
            tolerance: Some(0.5),
            tolerance_pct: None,
            unit: None
        }
    );
    assert_eq!(
        expects[2],
        Expectation::Query {
            lang: QueryLang::PromQL,
            reference: "sum(rate(http_requests_total[5m]))".into(),
            window: "10m".into()
        }
    );
    let Expectation::Text { rubric, pass } = &expects[3] else {
        panic!("not text: {:?}", expects[3]);
    };
    assert_eq!((rubric.len(), *pass), (1, 0.5));
    assert_eq!(
        (rubric[0].synonyms.as_slice(), rubric[0].weight),
        (&["resets".to_owned()][..], 1.0)
    );
    assert_eq!(
        (lesson.exercises[0].points, lesson.exercises[3].points),
        (10, 20)
    );
}

#[test]
fn defaults_fill_in_window_and_pass() {
    let text = edit(LESSON, "window = \"10m\"\n", "");
    let text = edit(&text, "pass = 0.5\n", "");
    let (Some(AnyItem::Lesson(lesson)), problems) = problems_of(L, &text) else {
        panic!("not a lesson");
    };
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        matches!(&lesson.exercises[2].expect, Expectation::Query { window, .. } if window == "5m")
    );
    assert!(matches!(&lesson.exercises[3].expect, Expectation::Text { pass, .. } if *pass == 0.6));
}

#[test]
fn common_key_ranges_and_formats() {
    assert_one(
        L,
        &edit(LESSON, "id = \"rates\"", "id = \"Rates_1\""),
        2,
        Some("id"),
        "not a valid id",
    );
    assert_one(
        L,
        &edit(LESSON, "level = 2", "level = 9"),
        4,
        Some("level"),
        "1 (beginner) to 5",
    );
    assert_one(
        L,
        &edit(LESSON, "level = 2", "level = 0"),
        4,
        Some("level"),
        "not 0",
    );
    assert_one(
        L,
        &edit(LESSON, "minutes = 15", "minutes = 0"),
        5,
        Some("minutes"),
        "more than 0",
    );
    assert_one(
        L,
        &edit(LESSON, "title = \"Rates\"", "title = \" \""),
        3,
        Some("title"),
        "empty",
    );
    assert_one(
        L,
        &edit(
            LESSON,
            "\"prometheus\", \"shop\"",
            "\"prometheus\", \"jaeger\"",
        ),
        7,
        Some("components[1]"),
        "unknown component `jaeger`",
    );
}

#[test]
fn level_beyond_a_byte_is_a_type_error_on_its_line() {
    assert_one(
        L,
        &edit(LESSON, "level = 2", "level = 300"),
        4,
        Some("level"),
        "expected u8",
    );
}

#[test]
fn exercise_ids_points_and_solutions() {
    assert_one(
        L,
        &edit(LESSON, "id = \"count\"", "id = \"pick\""),
        19,
        Some("exercises[1].id"),
        "two exercises are called `pick`",
    );
    assert_one(
        L,
        &edit(LESSON, "id = \"count\"", "id = \"Count\""),
        19,
        Some("exercises[1].id"),
        "not a valid exercise id",
    );
    assert_one(
        L,
        &edit(LESSON, "points = 20", "points = 0"),
        47,
        Some("exercises[3].points"),
        "more than 0",
    );
    assert_one(
        L,
        &edit(LESSON, "solution = \"About 3.\"", "solution = \"\""),
        21,
        Some("exercises[1].solution"),
        "empty",
    );
}

#[test]
fn choice_answer_must_be_one_of_unique_options() {
    assert_one(
        L,
        &edit(LESSON, "answer = \"payments\"", "answer = \"pay\""),
        16,
        Some("exercises[0].expect.answer"),
        "`pay` is not one of the options",
    );
    assert_one(
        L,
        &edit(
            LESSON,
            "options = [\"orders\", \"payments\"]",
            "options = [\"payments\"]",
        ),
        15,
        Some("exercises[0].expect.options"),
        "at least 2 options",
    );
    assert_one(
        L,
        &edit(
            LESSON,
            "options = [\"orders\", \"payments\"]",
            "options = [\"payments\", \"payments\"]",
        ),
        15,
        Some("exercises[0].expect.options[1]"),
        "listed twice",
    );
}

#[test]
fn choice_options_must_differ_beyond_case_and_spaces() {
    assert_one(
        L,
        &edit(
            LESSON,
            "options = [\"orders\", \"payments\"]",
            "options = [\"orders\", \"payments\", \"Pay ments\"]",
        ),
        15,
        Some("exercises[0].expect.options[2]"),
        "reads the same as `payments`",
    );
    // Punctuation alone keeps options apart: the grader tells them apart when typed.
    let (_, problems) = problems_of(
        L,
        &edit(
            LESSON,
            "options = [\"orders\", \"payments\"]",
            "options = [\"orders\", \"payments\", \"pay-ments\"]",
        ),
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn choice_takes_answer_or_answers_and_aliases() {
    let several = edit(
        LESSON,
        "answer = \"payments\"",
        "answers = [\"payments\", \"orders\"]\naliases = { \"payments\" = [\"payment\"] }",
    );
    let (Some(AnyItem::Lesson(lesson)), problems) = problems_of(L, &several) else {
        panic!("not a lesson");
    };
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        lesson.exercises[0].expect.choice_answers(),
        ["payments", "orders"]
    );
    assert_one(
        L,
        &edit(LESSON, "answer = \"payments\"", ""),
        13,
        Some("exercises[0].expect"),
        "needs `answer",
    );
    assert_one(
        L,
        &edit(
            LESSON,
            "answer = \"payments\"",
            "answer = \"payments\"\nanswers = [\"payments\"]",
        ),
        17,
        Some("exercises[0].expect.answers"),
        "not both",
    );
    assert_one(
        L,
        &edit(
            LESSON,
            "answer = \"payments\"",
            "answers = [\"payments\", \"billing\"]",
        ),
        16,
        Some("exercises[0].expect.answers[1]"),
        "`billing` is not one of the options",
    );
    assert_one(
        L,
        &edit(
            LESSON,
            "answer = \"payments\"",
            "answers = [\"payments\", \"payments\"]",
        ),
        16,
        Some("exercises[0].expect.answers[1]"),
        "listed twice",
    );
}

#[test]
fn aliases_name_an_option_and_no_other() {
    let with = |aliases: &str| {
        edit(
            LESSON,
            "answer = \"payments\"",
            &format!("answer = \"payments\"\naliases = {aliases}"),
        )
    };
    assert_one(
        L,
        &with("{ \"billing\" = [\"bill\"] }"),
        17,
        Some("exercises[0].expect.aliases.billing"),
        "`billing` is not an option",
    );
    assert_one(
        L,
        &with("{ \"payments\" = [\"Orders\"] }"),
        17,
        Some("exercises[0].expect.aliases.payments"),
        "must not name another option",
    );
    assert_one(
        L,
        &with("{ \"payments\" = [\" - \"] }"),
        17,
        Some("exercises[0].expect.aliases.payments"),
        "must not be empty",
    );
}

#[test]
fn number_needs_exactly_one_of_value_or_reference() {
    let both = edit(
        LESSON,
        "value = 3.0\n",
        "value = 3.0\nreference = \"sum(up)\"\n",
    );
    assert_one(
        L,
        &both,
        25,
        Some("exercises[1].expect.reference"),
        "either `value` or `reference`, not both",
    );
    let neither = edit(LESSON, "value = 3.0\n", "");
    assert_one(
        L,
        &neither,
        22,
        Some("exercises[1].expect"),
        "needs `value = <number>`",
    );
    let by_query = edit(LESSON, "value = 3.0\n", "reference = \"sum(up)\"\n");
    assert!(problems_of(L, &by_query).1.is_empty());
}

#[test]
fn number_tolerances_are_checked() {
    let both = edit(
        LESSON,
        "tolerance = 0.5\n",
        "tolerance = 0.5\ntolerance_pct = 10\n",
    );
    assert_one(
        L,
        &both,
        26,
        Some("exercises[1].expect.tolerance_pct"),
        "not both",
    );
    let negative = edit(LESSON, "tolerance = 0.5", "tolerance = -1");
    assert_one(
        L,
        &negative,
        25,
        Some("exercises[1].expect.tolerance"),
        "0 or more",
    );
    let zero_pct = edit(LESSON, "tolerance = 0.5", "tolerance_pct = 0");
    assert_one(
        L,
        &zero_pct,
        25,
        Some("exercises[1].expect.tolerance_pct"),
        "above 0",
    );
}

#[test]
fn query_window_must_be_a_duration() {
    let text = edit(LESSON, "window = \"10m\"", "window = \"10 minutes\"");
    assert_one(
        L,
        &text,
        35,
        Some("exercises[2].expect.window"),
        "not a duration",
    );
}

#[test]
fn text_expectation_needs_a_rubric_and_a_sane_pass() {
    assert_one(
        L,
        &edit(LESSON, "pass = 0.5", "pass = 1.5"),
        51,
        Some("exercises[3].expect.pass"),
        "at most 1",
    );
    let no_rubric = edit(
        LESSON,
        "[[exercises.expect.rubric]]\nconcept = \"counter reset\"\nsynonyms = [\"resets\"]\n",
        "",
    );
    assert_one(
        L,
        &no_rubric,
        49,
        Some("exercises[3].expect.rubric"),
        "at least one [[rubric]]",
    );
}

#[test]
fn unknown_expectation_kind_is_a_type_error() {
    let text = edit(LESSON, "kind = \"choice\"", "kind = \"multiple\"");
    assert_one(
        L,
        &text,
        14,
        Some("exercises[0].expect.kind"),
        "unknown variant `multiple`",
    );
}

#[test]
fn promql_references_and_runnable_blocks_must_parse() {
    let bad_ref = edit(
        LESSON,
        "reference = \"sum(rate(http_requests_total[5m]))\"",
        "reference = \"sum(rate(http_requests_total[5m])\"",
    );
    assert_one(
        L,
        &bad_ref,
        34,
        Some("exercises[2].expect.reference"),
        "PromQL does not parse",
    );
    let bad_number_ref = edit(LESSON, "value = 3.0", "reference = \"up{\"");
    assert_one(
        L,
        &bad_number_ref,
        24,
        Some("exercises[1].expect.reference"),
        "PromQL does not parse",
    );
    let bad_block = edit(
        LESSON,
        "```promql\nrate(http_requests_total[5m])",
        "```promql\nrate(http_requests_total)",
    );
    assert_one(
        L,
        &bad_block,
        LESSON_PROMQL_FENCE,
        None,
        "PromQL does not parse",
    );
    let bad_in_prompt = edit(
        LESSON,
        "rate(http_requests_total[1m])",
        "rate(http_requests_total[1m]",
    );
    assert_one(
        L,
        &bad_in_prompt,
        42,
        Some("exercises[3].prompt"),
        "PromQL does not parse",
    );
}

#[test]
fn invalid_flag_requires_a_query_that_fails() {
    let parses = edit(
        LESSON,
        "```promql\nrate(http_requests_total[5m])",
        "```promql invalid\nrate(http_requests_total[5m])",
    );
    assert_one(L, &parses, LESSON_PROMQL_FENCE, None, "flagged `invalid`");
    let fails = edit(
        LESSON,
        "```promql\nrate(http_requests_total[5m])",
        "```promql invalid\nrate(http_requests_total)",
    );
    assert!(problems_of(L, &fails).1.is_empty());
    let logql_parses = edit(LESSON, "```logql", "```logql INVALID");
    assert_one(
        L,
        &logql_parses,
        LESSON_PROMQL_FENCE + 4,
        None,
        "passes the structural check",
    );
}

#[test]
fn logql_and_traceql_get_structural_checks() {
    let logql = edit(
        LESSON,
        "{service_name=\"shop\"} |= \"error\"",
        "{service_name=shop} |= \"error\"",
    );
    assert_one(
        L,
        &logql,
        LESSON_PROMQL_FENCE + 4,
        None,
        "LogQL looks malformed",
    );
    let traceql = edit(LESSON, "{ duration > 1s }", "duration > 1s");
    assert_one(
        L,
        &traceql,
        LESSON_PROMQL_FENCE + 8,
        None,
        "TraceQL looks malformed",
    );
    let logql_ref = edit(LESSON, "lang = \"promql\"", "lang = \"logql\"");
    assert_one(
        L,
        &logql_ref,
        34,
        Some("exercises[2].expect.reference"),
        "stream selector",
    );
}
