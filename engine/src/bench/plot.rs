//! SVG plots of a benchmark report (`plotters`): prove time against circuit size per prover,
//! and verification time per proof one by one and in batches.

use super::{BenchRecord, BenchReport};
use crate::{EngineError, Result};
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// Writes `prove.svg` and `verify.svg` for `report` into `dir`; returns their paths.
pub fn write(report: &BenchReport, dir: &Path) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    let plots: [(&str, String); 2] = [
        ("prove.svg", prove(report)?),
        ("verify.svg", verify(report)?),
    ];
    for (name, svg) in plots {
        let path = dir.join(name);
        crate::files::write_output(&path, &svg)?;
        written.push(path);
    }
    Ok(written)
}

fn plot_error<E: std::fmt::Debug>(e: E) -> EngineError {
    EngineError::Refused(format!("drawing a plot: {e:?}"))
}

/// One line per `(label, points)`: x constraints, y seconds, both on log scales.
fn log_log(title: &str, y_label: &str, series: &[(String, Vec<(f64, f64)>)]) -> Result<String> {
    let points = series.iter().flat_map(|(_, p)| p.iter());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y0 = y0.min(y);
        y1 = y1.max(y);
    }
    if x0 > x1 || y0.is_nan() || y0 <= 0.0 {
        (x0, x1, y0, y1) = (1.0, 10.0, 0.001, 1.0);
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(
                (x0 / 1.5..x1 * 1.5).log_scale(),
                (y0 / 2.0..y1 * 2.0).log_scale(),
            )
            .map_err(plot_error)?;
        chart
            .configure_mesh()
            .x_desc("constraints (log)")
            .y_desc(y_label)
            .y_label_formatter(&|y| seconds_label(*y))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .draw()
            .map_err(plot_error)?;
        for (i, (label, pts)) in series.iter().enumerate() {
            let colour = Palette99::pick(i).to_rgba();
            let mut sorted = pts.clone();
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
            chart
                .draw_series(LineSeries::new(sorted.clone(), colour.stroke_width(2)))
                .map_err(plot_error)?
                .label(label.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
            chart
                .draw_series(sorted.iter().map(|&p| Circle::new(p, 4, colour.filled())))
                .map_err(plot_error)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(plot_error)?;
        root.present().map_err(plot_error)?;
    }
    Ok(svg)
}

fn threads(n: usize) -> String {
    format!("{n} thread{}", if n == 1 { "" } else { "s" })
}

fn seconds_label(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.0} s")
    } else if s >= 1e-3 {
        format!("{:.0} ms", s * 1e3)
    } else {
        format!("{:.0} us", s * 1e6)
    }
}

/// Groups records into series by a key, as `(constraints, seconds)` points.
fn series(
    records: &[BenchRecord],
    key: impl Fn(&BenchRecord) -> Option<(String, f64)>,
) -> Vec<(String, Vec<(f64, f64)>)> {
    let mut out: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    for r in records {
        let Some((label, y)) = key(r) else { continue };
        let point = (r.constraints_or_gates as f64, y);
        match out.iter_mut().find(|(l, _)| *l == label) {
            Some((_, pts)) => pts.push(point),
            None => out.push((label, vec![point])),
        }
    }
    out
}

/// Seconds per proof against circuit size, per prover and mode.
fn prove(report: &BenchReport) -> Result<String> {
    let s = series(&report.records, |r| {
        let label = match r.mode.as_str() {
            "latency" => format!("{} ({})", r.prover, threads(r.threads)),
            "throughput" => format!("{} throughput ({} proofs at once)", r.prover, r.threads),
            _ => return None,
        };
        Some((label, r.prove_s))
    });
    log_log(
        &format!("Groth16 prove time per proof, {}", report.machine.cpu),
        "seconds per proof (log)",
        &s,
    )
}

/// Seconds per verified proof, one by one and in batches.
fn verify(report: &BenchReport) -> Result<String> {
    let s = series(&report.records, |r| {
        let label = match r.mode.as_str() {
            "verify-one-by-one" => "one by one".to_string(),
            "verify-batch" => format!("batch of {} ({})", r.runs, threads(r.threads)),
            _ => return None,
        };
        Some((label, r.verify_s?))
    });
    log_log(
        "Groth16 verification time per proof",
        "seconds per proof (log)",
        &s,
    )
}
