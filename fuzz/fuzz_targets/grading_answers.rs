//! A learner's typed answer graded against every question the shipped course asks: the
//! first byte picks the question (lesson exercises, challenge questions, drill rubrics),
//! the rest is the answer. The number parser also reads it in every unit the course uses.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use labtui::lab::content::{Catalog, Expectation};
use labtui::lab::grading::{self, Tolerance, choice, grade_number, parse_number};
use libfuzzer_sys::fuzz_target;

struct Asked {
    questions: Vec<(Expectation, u32)>,
    units: Vec<Option<String>>,
}

fn asked() -> &'static Asked {
    static ASKED: OnceLock<Asked> = OnceLock::new();
    ASKED.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let (catalog, _) = Catalog::load(&root);
        let mut questions: Vec<(Expectation, u32)> = Vec::new();
        for l in &catalog.lessons {
            questions.extend(l.exercises.iter().map(|e| (e.expect.clone(), e.points)));
        }
        for c in &catalog.challenges {
            questions.extend(c.questions.iter().map(|q| (q.expect.clone(), q.points)));
        }
        for d in &catalog.drills {
            let text = Expectation::Text {
                rubric: d.rubric.clone(),
                pass: d.pass,
            };
            questions.push((text, 10));
        }
        assert!(
            !questions.is_empty(),
            "no shipped questions under {}",
            root.display()
        );
        let mut units: Vec<Option<String>> = vec![None];
        for (e, _) in &questions {
            if let Expectation::Number { unit, .. } = e {
                if !units.contains(unit) {
                    units.push(unit.clone());
                }
            }
        }
        Asked { questions, units }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let answer = String::from_utf8_lossy(rest);
    let asked = asked();
    let (expect, points) = &asked.questions[usize::from(pick) % asked.questions.len()];
    let _ = grading::grade(expect, *points, &answer);
    if let Expectation::Number {
        tolerance,
        tolerance_pct,
        unit,
        ..
    } = expect
    {
        // A reference's value comes from the lab; any finite value will do here.
        let tol = Tolerance::of(*tolerance, *tolerance_pct);
        let _ = grade_number(0.25, tol, unit.as_deref(), *points, &answer);
    }
    for unit in &asked.units {
        let _ = parse_number(&answer, unit.as_deref());
    }
    let _ = choice::parts(&answer);
});
