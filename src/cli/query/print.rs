//! How `labtui query` prints a result: an aligned table (vectors: labels and value;
//! matrices: one line per series with its count, min, max and last), or CSV with one row
//! per sample.

use std::io::{self, Write};

use crate::lab::query::prometheus::format_seconds;
use crate::lab::query::{Labels, QueryData, RangeSeries};

/// The table people read in a terminal.
pub fn table(data: &QueryData, out: &mut impl Write) -> io::Result<()> {
    match data {
        QueryData::Vector(v) if v.is_empty() => writeln!(out, "no series"),
        QueryData::Matrix(m) if m.is_empty() => writeln!(out, "no series"),
        QueryData::Vector(v) => {
            let names = label_columns(v.iter().map(|s| &s.labels));
            let mut header: Vec<String> = names.clone();
            header.push("VALUE".into());
            let rows: Vec<Vec<String>> = v
                .iter()
                .map(|s| {
                    let mut row: Vec<String> = names
                        .iter()
                        .map(|n| s.labels.get(n).cloned().unwrap_or_default())
                        .collect();
                    row.push(format_value(s.sample.v));
                    row
                })
                .collect();
            aligned(&header, &rows, out)
        }
        QueryData::Matrix(m) => {
            let header = ["SERIES", "SAMPLES", "MIN", "MAX", "LAST", "LAST AT"].map(String::from);
            let rows: Vec<Vec<String>> = m.iter().map(matrix_row).collect();
            aligned(&header, &rows, out)
        }
        QueryData::Scalar(s) => writeln!(out, "{}", format_value(s.v)),
        QueryData::String { value, .. } => writeln!(out, "{value}"),
        QueryData::Streams(lines) => super::print_logs::table(lines, out),
        QueryData::Traces(hits) => super::print_traces::table(hits, out),
    }
}

/// CSV: `series,timestamp,value`, one row per sample; `series` is `name{a="b"}`.
pub fn csv(data: &QueryData, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "series,timestamp,value")?;
    match data {
        QueryData::Vector(v) => {
            for s in v {
                csv_row(out, &series_name(&s.labels), s.sample.t, &exact(s.sample.v))?;
            }
        }
        QueryData::Matrix(m) => {
            for s in m {
                let name = series_name(&s.labels);
                for p in &s.samples {
                    csv_row(out, &name, p.t, &exact(p.v))?;
                }
            }
        }
        QueryData::Scalar(s) => csv_row(out, "", s.t, &exact(s.v))?,
        QueryData::String { t, value } => csv_row(out, "", *t, value)?,
        QueryData::Streams(lines) => {
            for l in lines {
                csv_row(out, &series_name(&l.stream), l.ts_ns as f64 / 1e9, &l.line)?;
            }
        }
        QueryData::Traces(hits) => {
            for h in hits {
                let ms = h.duration_ms.map_or(String::new(), |d| d.to_string());
                csv_row(out, &h.trace_id, h.start_ns as f64 / 1e9, &ms)?;
            }
        }
    }
    Ok(())
}

fn csv_row(out: &mut impl Write, series: &str, t: f64, value: &str) -> io::Result<()> {
    writeln!(
        out,
        "{},{},{}",
        csv_field(series),
        format_seconds(t),
        csv_field(value)
    )
}

/// RFC 4180 quoting: a field with a comma, quote or line break goes in quotes, its quotes
/// doubled.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Label names as columns: `__name__` first, then the rest in order.
fn label_columns<'a>(series: impl Iterator<Item = &'a Labels>) -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    for labels in series {
        names.extend(labels.keys().cloned());
    }
    let mut out: Vec<String> = names.into_iter().collect();
    if let Some(i) = out.iter().position(|n| n == "__name__") {
        let name = out.remove(i);
        out.insert(0, name);
    }
    out
}

fn matrix_row(s: &RangeSeries) -> Vec<String> {
    let finite = s.samples.iter().map(|p| p.v).filter(|v| !v.is_nan());
    let min = finite
        .clone()
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))));
    let max = finite.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    let last = s.samples.last();
    vec![
        series_name(&s.labels),
        s.samples.len().to_string(),
        min.map_or("NaN".into(), format_value),
        max.map_or("NaN".into(), format_value),
        last.map_or(String::new(), |p| format_value(p.v)),
        last.map_or(String::new(), |p| format_time(p.t)),
    ]
}

/// Columns padded to their widest cell, two spaces apart; the trailing column is not
/// padded, so lines carry no trailing blanks. Label values come from whatever was scraped:
/// what a terminal would act on is escaped (CSV and JSON stay exact, for programs).
fn aligned(header: &[String], rows: &[Vec<String>], out: &mut impl Write) -> io::Result<()> {
    let escaped: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| crate::lab::untrusted::escape(c).into_owned())
                .collect()
        })
        .collect();
    let rows = &escaped;
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}"));
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// `up{instance="127.0.0.1:9090", job="prometheus"}`, as PromQL writes a series.
pub fn series_name(labels: &Labels) -> String {
    let name = labels.get("__name__").map_or("", String::as_str);
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
        .collect();
    if rest.is_empty() && !name.is_empty() {
        name.to_string()
    } else {
        format!("{name}{{{}}}", rest.join(", "))
    }
}

/// A value for reading: whole numbers as integers, others to 6 significant digits,
/// very large or small ones in exponent form; NaN and ±Inf as Prometheus writes them.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let abs = v.abs();
    if v.fract() == 0.0 && abs < 1e15 {
        return format!("{}", v as i64);
    }
    if !(1e-4..1e15).contains(&abs) {
        return format!("{v:.4e}");
    }
    let digits = 6 - 1 - abs.log10().floor() as i32;
    let formatted = format!("{v:.prec$}", prec = digits.max(0) as usize);
    if formatted.contains('.') {
        formatted
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        formatted
    }
}

/// A value with all its digits (for CSV), NaN and ±Inf as Prometheus writes them.
fn exact(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        v.to_string()
    }
}

/// Unix seconds as `2026-11-23T11:47:02Z`.
fn format_time(t: f64) -> String {
    chrono::DateTime::from_timestamp_millis((t * 1000.0).round() as i64).map_or_else(
        || format_seconds(t),
        |d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::query::{InstantSeries, Sample};

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    fn text(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut buf = Vec::new();
        f(&mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn values_read_well() {
        assert_eq!(format_value(1.0), "1");
        assert_eq!(format_value(1_795_434_422.0), "1795434422");
        assert_eq!(format_value(0.238_945_892_473_118_26), "0.238946");
        assert_eq!(format_value(12.5), "12.5");
        assert_eq!(format_value(1234.56789), "1234.57");
        assert_eq!(format_value(0.00002), "2.0000e-5");
        assert_eq!(format_value(f64::NAN), "NaN");
        assert_eq!(format_value(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_value(-0.5), "-0.5");
    }

    #[test]
    fn a_vector_is_a_table_of_labels_and_values() {
        let data = QueryData::Vector(vec![
            InstantSeries {
                labels: labels(&[
                    ("__name__", "up"),
                    ("job", "prometheus"),
                    ("instance", "a:1"),
                ]),
                sample: Sample { t: 1.0, v: 1.0 },
            },
            InstantSeries {
                labels: labels(&[("__name__", "up"), ("job", "alertmanager")]),
                sample: Sample { t: 1.0, v: 0.0 },
            },
        ]);
        assert_eq!(
            text(|o| table(&data, o)),
            "__name__  instance  job           VALUE\n\
             up        a:1       prometheus    1\n\
             up                  alertmanager  0\n"
        );
        assert_eq!(
            text(|o| csv(&data, o)),
            "series,timestamp,value\n\
             \"up{instance=\"\"a:1\"\", job=\"\"prometheus\"\"}\",1,1\n\
             \"up{job=\"\"alertmanager\"\"}\",1,0\n"
        );
        assert_eq!(
            text(|o| table(&QueryData::Vector(vec![]), o)),
            "no series\n"
        );
    }

    #[test]
    fn a_table_escapes_what_a_terminal_would_act_on() {
        let data = QueryData::Vector(vec![InstantSeries {
            labels: labels(&[("job", "x\x1b]52;c;aGk=\x07")]),
            sample: Sample { t: 0.0, v: 1.0 },
        }]);
        let shown = text(|o| table(&data, o));
        assert!(shown.contains(r"x\e]52;c;aGk=\u{7}"), "{shown}");
        assert!(!shown.contains('\x1b'));
    }

    #[test]
    fn a_matrix_is_one_line_per_series() {
        let data = QueryData::Matrix(vec![RangeSeries {
            labels: labels(&[("service", "orders")]),
            samples: vec![
                Sample {
                    t: 1_795_434_362.0,
                    v: f64::NAN,
                },
                Sample {
                    t: 1_795_434_392.0,
                    v: 0.5,
                },
                Sample {
                    t: 1_795_434_422.0,
                    v: 0.25,
                },
            ],
        }]);
        assert_eq!(
            text(|o| table(&data, o)),
            "SERIES              SAMPLES  MIN   MAX  LAST  LAST AT\n\
             {service=\"orders\"}  3        0.25  0.5  0.25  2026-11-23T11:47:02Z\n"
        );
        assert_eq!(
            text(|o| csv(&data, o)),
            "series,timestamp,value\n\
             \"{service=\"\"orders\"\"}\",1795434362,NaN\n\
             \"{service=\"\"orders\"\"}\",1795434392,0.5\n\
             \"{service=\"\"orders\"\"}\",1795434422,0.25\n"
        );
    }

    #[test]
    fn scalars_and_strings_are_plain() {
        let scalar = QueryData::Scalar(Sample { t: 5.0, v: 2.0 });
        assert_eq!(text(|o| table(&scalar, o)), "2\n");
        assert_eq!(text(|o| csv(&scalar, o)), "series,timestamp,value\n,5,2\n");
        let s = QueryData::String {
            t: 5.0,
            value: "hello, you".into(),
        };
        assert_eq!(text(|o| table(&s, o)), "hello, you\n");
        assert_eq!(
            text(|o| csv(&s, o)),
            "series,timestamp,value\n,5,\"hello, you\"\n"
        );
        assert_eq!(series_name(&labels(&[("__name__", "up")])), "up");
        assert_eq!(series_name(&Labels::new()), "{}");
    }
}
