//! Progress: what the learner has done, kept across runs.
