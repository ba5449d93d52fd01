//! Choice questions: one answer, several, aliases, `service/fault` part by part.

use std::collections::BTreeMap;

use super::{assert_right, assert_sane, assert_wrong};
use crate::lab::grading::{Verdict, grade_choice};

fn options(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn aliases(list: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
        .collect()
}

const SERVICES: [&str; 5] = [
    "storefront",
    "orders",
    "payments",
    "inventory",
    "fulfillment",
];

fn one(answer: &str) -> Verdict {
    grade_choice(
        &options(&SERVICES),
        &["payments"],
        &BTreeMap::new(),
        10,
        answer,
    )
}

#[test]
fn one_answer_by_text_ignores_case_spaces_and_punctuation() {
    for answer in [
        "payments",
        "  Payments ",
        "PAYMENTS",
        "payments.",
        "pay-ments",
        "\"payments\"",
    ] {
        assert_right(&one(answer));
    }
}

#[test]
fn one_answer_by_number() {
    for answer in ["3", " 3 ", "3.", "3)", "#3"] {
        assert_right(&one(answer));
    }
    assert_wrong(&one("2"), "`orders` is not the answer");
    assert_wrong(&one("6"), "not one of the options");
    assert_wrong(&one("0"), "not one of the options");
}

#[test]
fn one_answer_wrong_or_unknown_says_why() {
    assert_wrong(&one("orders"), "`orders` is not the answer");
    assert_wrong(&one("billing"), "`billing` is not one of the options");
    assert_wrong(&one(""), "no answer");
    assert_wrong(&one("  ...  "), "no answer");
    assert_wrong(&one("payments, orders"), "give one option; you gave 2");
}

#[test]
fn aliases_count_as_their_option() {
    let a = aliases(&[("payments", &["payment", "payment service", "billing"])]);
    let grade = |answer: &str| grade_choice(&options(&SERVICES), &["payments"], &a, 10, answer);
    for answer in ["payment", "Payment Service", "billing", "payments"] {
        assert_right(&grade(answer));
    }
    assert_wrong(&grade("order"), "not one of the options");
}

#[test]
fn several_answers_in_any_order_and_separator() {
    let opts = options(&["latency", "errors", "saturation", "traffic", "uptime"]);
    let right = ["latency", "errors", "saturation", "traffic"];
    let grade = |answer: &str| grade_choice(&opts, &right, &BTreeMap::new(), 8, answer);
    for answer in [
        "latency, errors, saturation, traffic",
        "traffic; saturation; errors; latency",
        "Latency and Errors and Saturation and Traffic",
        "1, 2, 3, 4",
        "latency\nerrors\nsaturation\ntraffic",
        "latency | errors | saturation | traffic, latency",
    ] {
        assert_right(&grade(answer));
    }
    // Partial credit: each right pick earns a share, each wrong one takes one back.
    let half = grade("latency, errors");
    assert!(!half.correct && half.earned == 4.0, "{half:#?}");
    assert!(half.feedback[0].contains("2 of the 4"), "{half:#?}");
    let net_one = grade("latency, errors, uptime");
    assert_eq!(net_one.earned, 2.0, "{net_one:#?}");
    assert!(
        net_one
            .feedback
            .iter()
            .any(|f| f.contains("`uptime` is not one of the right"))
    );
    assert_eq!(grade("uptime").earned, 0.0);
    assert_eq!(grade("latency, bogus").earned, 0.0);
}

#[test]
fn service_fault_pairs_are_graded_part_by_part() {
    let opts = options(&["payments/latency", "orders/db_lock", "inventory/errors"]);
    let a = aliases(&[("payments", &["payment"]), ("db_lock", &["database lock"])]);
    let grade = |answer: &str| grade_choice(&opts, &["payments/latency"], &a, 10, answer);
    for answer in [
        "payments/latency",
        "Payments / Latency",
        "payments latency",
        "latency/payments",
        "payment, latency",
        "1",
    ] {
        assert_right(&grade(answer));
    }
    let service_only = grade("payments/errors");
    assert_eq!(
        (service_only.earned, service_only.correct),
        (5.0, false),
        "{service_only:#?}"
    );
    assert!(
        service_only
            .feedback
            .iter()
            .any(|f| f.contains("`errors` is not right"))
    );
    // Another option that shares one part earns that part.
    assert_eq!(grade("inventory/errors").earned, 0.0);
    assert_eq!(grade("orders/latency").earned, 5.0);
    // An extra wrong part takes a share back.
    let extra = grade("payments/latency/orders");
    assert_eq!((extra.earned, extra.correct), (5.0, false), "{extra:#?}");
    assert_wrong(&grade("orders/db_lock"), "not right");
}

#[test]
fn routes_with_slashes_stay_single_options() {
    let opts = options(&["/api/products", "/api/cart", "/api/checkout"]);
    let grade = |answer: &str| grade_choice(&opts, &["/api/cart"], &BTreeMap::new(), 10, answer);
    assert_right(&grade("/api/cart"));
    assert_right(&grade("api/cart"));
    assert_wrong(&grade("/api/checkout"), "is not the answer");
}

#[test]
fn options_that_differ_only_in_punctuation_stay_apart() {
    // Two options of the LogQL lesson squash to the same letters.
    let opts = options(&[
        r#"{service_name="payments", level="error"}"#,
        r#"{service_name="payments"} |= "error""#,
        r#"{service_name=~".+"} |= "payments" |= "\"level\":\"error\"""#,
    ]);
    let right = [opts[0].as_str()];
    let grade = |answer: &str| grade_choice(&opts, &right, &BTreeMap::new(), 10, answer);
    assert_right(&grade(r#"{service_name="payments",level="error"}"#));
    assert_right(&grade("1"));
    assert_wrong(
        &grade(r#"{service_name=~".+"} |= "payments" |= "\"level\":\"error\"""#),
        "is not the answer",
    );
    assert_wrong(
        &grade("service_name payments level error"),
        "more than one option",
    );
}

#[test]
fn a_broken_question_is_wrong_not_a_panic() {
    let v = grade_choice(&options(&["a", "b"]), &["c"], &BTreeMap::new(), 10, "a");
    assert_wrong(&v, "labtui check");
    let v = grade_choice(&options(&["a", "b"]), &[], &BTreeMap::new(), 10, "a");
    assert_wrong(&v, "labtui check");
    let v = grade_choice(&[], &["a"], &BTreeMap::new(), 10, "a");
    assert_sane(&v);
}

#[test]
fn too_many_picks_is_not_an_answer() {
    let opts = options(&["a", "b", "c"]);
    let everything = vec!["a"; 100].join(",");
    let v = grade_choice(&opts, &["a", "b"], &BTreeMap::new(), 10, &everything);
    assert_wrong(&v, "list of everything");
}

#[test]
fn a_misspelt_option_with_a_comma_is_not_a_list() {
    let opts = options(&[
        "Graph the error rate",
        "Search the logs for order 1042, then open the trace_id found on its error line",
    ]);
    let right = [opts[1].as_str()];
    let grade = |answer: &str| grade_choice(&opts, &right, &BTreeMap::new(), 10, answer);
    assert_right(&grade(
        "search the logs for order 1042, then open the trace_id found on its error line",
    ));
    assert_wrong(
        &grade("search the logs for 1042, then open its trace"),
        "is not one of the options",
    );
    assert_wrong(&grade("2, 1"), "give one option; you gave 2");
}
