//! Timing and memory: runs one after another or interleaved in rounds, medians, and the
//! process's peak resident memory.

use super::ProverName;
use crate::progress::{check, Progress};
use crate::{EngineError, Result};
use std::time::Instant;

/// Proves `runs` times, one after another; returns each run's seconds and the last proof.
pub(crate) fn one_after_another<T, E: Into<EngineError>>(
    runs: usize,
    progress: &dyn Progress,
    mut prove: impl FnMut() -> std::result::Result<T, E>,
) -> Result<(Vec<f64>, T)> {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        check(progress)?;
        let t = Instant::now();
        last = Some(prove().map_err(Into::into)?);
        times.push(t.elapsed().as_secs_f64());
    }
    let last = last.ok_or_else(|| EngineError::Refused("no proof was made".into()))?;
    Ok((times, last))
}

/// A prover to time: one proof per call (it keeps what it made).
pub(crate) type Timed<'a> = (ProverName, Box<dyn FnMut() -> Result<()> + 'a>);

/// Times each of `provers` once per round for `runs` rounds (interleaved), after an untimed
/// round that measures each one's peak resident memory alone (from a trimmed heap) and warms it
/// up: per prover, the seconds of each timed run and that peak (this process's; a prover that
/// runs another process, like bb, reports its own share only). The timed rounds do not trim
/// the heap, so no prover pays for page faults another prover's run left behind.
pub(crate) fn interleaved(
    runs: usize,
    progress: &dyn Progress,
    provers: &mut [Timed<'_>],
) -> Result<Vec<(Vec<f64>, Option<u64>)>> {
    let mut out = Vec::with_capacity(provers.len());
    for (_, prove) in provers.iter_mut() {
        check(progress)?;
        reset_peak_memory();
        prove()?;
        out.push((Vec::with_capacity(runs), peak_memory()));
    }
    for _ in 0..runs {
        for ((_, prove), (times, _)) in provers.iter_mut().zip(&mut out) {
            check(progress)?;
            let t = Instant::now();
            prove()?;
            times.push(t.elapsed().as_secs_f64());
        }
    }
    Ok(out)
}

/// Median seconds of `verify` over 10 checks (each must accept).
pub(crate) fn time_verify(verify: impl Fn() -> veil_verifier::Result<()>) -> Result<f64> {
    let mut times = Vec::with_capacity(10);
    for _ in 0..10 {
        let t = Instant::now();
        verify()?;
        times.push(t.elapsed().as_secs_f64());
    }
    Ok(median(&times))
}

pub(crate) fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Resets the process's peak resident memory (Linux `clear_refs`; elsewhere nothing), after
/// handing memory freed by earlier cases back to the system, so that a peak is this
/// measurement's.
pub(crate) fn reset_peak_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only releases free heap pages; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's peak resident memory since the last reset (Linux).
pub(crate) fn peak_memory() -> Option<u64> {
    proc_kib("/proc/self/status", "VmHWM:")
}

/// A `kB` value from a `/proc` file.
pub(crate) fn proc_kib(file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix(key))?;
    let kib: u64 = line.trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}
