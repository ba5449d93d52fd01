//! How long the pure graders take on the worst answers a learner can paste: a megabyte of
//! text, a list of half a million picks, a number followed by a million digits. Target: each
//! verdict ≤ 50 ms in a release build, so grading never stalls the console.
//!
//! `cargo run --release --example bench_grading [ITERATIONS]`. Needs no lab.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use labtui::lab::content::RubricConcept;
use labtui::lab::grading::{Tolerance, grade_choice, grade_number, grade_text};

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(15);
    let answers = [
        ("1 MiB of one letter", "a".repeat(1 << 20)),
        ("120,000 times an option", "payments ".repeat(120_000)),
        ("500,000 picks", "1,".repeat(500_000)),
        (
            "a number and 1M digits",
            "0.9".to_owned() + &"9".repeat(1 << 20),
        ),
        (
            "a sentence",
            "payments, because its p95 rose first".to_owned(),
        ),
    ];
    let options: Vec<String> = ["storefront", "orders", "payments", "payments/latency"]
        .map(String::from)
        .to_vec();
    let aliases = BTreeMap::from([("payments".to_owned(), vec!["payment".to_owned()])]);
    let rubric: Vec<RubricConcept> = (0..7)
        .map(|i| RubricConcept {
            concept: format!("concept number {i}"),
            synonyms: vec![
                format!("synonym {i}"),
                "counter reset".into(),
                "restart".into(),
            ],
            weight: 1.0,
        })
        .collect();
    println!(
        "{:<26} {:>12} {:>12} {:>12}",
        "answer", "choice", "number", "text"
    );
    let mut worst = Duration::ZERO;
    for (name, answer) in &answers {
        let time = |f: &dyn Fn()| {
            median(
                (0..iterations)
                    .map(|_| {
                        let t = Instant::now();
                        f();
                        t.elapsed()
                    })
                    .collect(),
            )
        };
        let choice = time(&|| {
            std::hint::black_box(grade_choice(&options, &["payments"], &aliases, 10, answer));
        });
        let number = time(&|| {
            std::hint::black_box(grade_number(
                0.9,
                Tolerance::Percent(15.0),
                Some("s"),
                10,
                answer,
            ));
        });
        let text = time(&|| {
            std::hint::black_box(grade_text(&rubric, 0.6, 10, answer));
        });
        worst = worst.max(choice).max(number).max(text);
        println!("{name:<26} {choice:>12.2?} {number:>12.2?} {text:>12.2?}");
    }
    println!("worst median: {worst:.2?} (target ≤ 50 ms)");
}
