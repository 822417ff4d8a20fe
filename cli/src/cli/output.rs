//! How the command line speaks: progress bars and notes on stderr (none with `--quiet` or off
//! a terminal), results on stdout, and one verdict for verify commands.

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use veil_engine::{Progress, Silent, Unit};

static QUIET: AtomicBool = AtomicBool::new(false);

/// Sets `--quiet` for the whole command.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// A note for the person at the terminal (stderr; not with `--quiet`).
pub fn note(text: &str) {
    if !quiet() {
        eprintln!("note: {text}");
    }
}

/// How the keys a command used were made: the insecure-setup warning when one party made
/// them, else that they come from a ceremony (a Groth16 phase-2 key imported with
/// `--ceremony-import`, or halo2 parameters converted from a ceremony's `.ptau`).
pub fn note_insecure(insecure: bool) {
    if insecure {
        note("these keys come from an insecure single-party setup: whoever made them can forge proofs (development only)");
    } else {
        note("these keys come from a ceremony (`veil setup --list` shows its record)");
    }
}

/// ` in 1.2 s`: how long a command took, for its final line.
pub fn took(started: Instant) -> String {
    format!(" in {:.1} s", started.elapsed().as_secs_f64())
}

/// A verify command's answer was printed (the exit status says the rest).
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused")
    }
}

impl std::error::Error for Reported {}

/// What a verify command found, for people and for scripts.
pub struct Accepted {
    /// The verdict line after `ACCEPTED: `.
    pub summary: String,
    /// Lines printed under it (tables, rows).
    pub details: Vec<String>,
    /// The same as JSON fields (merged with `"verdict": "accepted"`).
    pub json: Value,
}

/// Prints a verify command's verdict: `ACCEPTED: ...` and its details on stdout, or `REFUSED:
/// <reason>` on stderr and exit status 1; with `json`, one JSON object on stdout either way.
pub fn verdict(json: bool, outcome: Result<Accepted>) -> Result<()> {
    match (outcome, json) {
        (Ok(a), false) => {
            println!("ACCEPTED: {}", a.summary);
            for line in a.details {
                println!("{line}");
            }
            Ok(())
        }
        (Ok(a), true) => {
            let mut obj = serde_json::Map::new();
            obj.insert("verdict".into(), "accepted".into());
            if let Value::Object(fields) = a.json {
                obj.extend(fields);
            }
            println!("{}", serde_json::to_string_pretty(&Value::Object(obj))?);
            Ok(())
        }
        (Err(e), false) => {
            eprintln!("REFUSED: {e:#}");
            Err(Reported.into())
        }
        (Err(e), true) => {
            let obj = serde_json::json!({ "verdict": "refused", "reason": format!("{e:#}") });
            println!("{}", serde_json::to_string_pretty(&obj)?);
            Err(Reported.into())
        }
    }
}

/// The engine's progress handle for a command: bars on a terminal, nothing otherwise.
pub fn bars() -> Arc<dyn Progress> {
    if quiet() || !std::io::stderr().is_terminal() {
        Arc::new(Silent)
    } else {
        Arc::new(Bars {
            current: Mutex::new(None),
        })
    }
}

/// Progress bars on stderr (indicatif), one per stage; a finished stage that took a while
/// leaves a line with its elapsed time.
struct Bars {
    current: Mutex<Option<(ProgressBar, String, Instant)>>,
}

impl Bars {
    fn slot(&self) -> std::sync::MutexGuard<'_, Option<(ProgressBar, String, Instant)>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Progress for Bars {
    fn start(&self, stage: &str, total: u64, unit: Unit) {
        let (bar, template) = match unit {
            Unit::Bytes => (
                ProgressBar::new(total),
                "{msg} {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} [{elapsed} < {eta}]",
            ),
            Unit::Items => (
                ProgressBar::new(total),
                "{msg} {wide_bar} {pos}/{len} [{elapsed} < {eta}]",
            ),
            Unit::Steps => (ProgressBar::new_spinner(), "{spinner} {msg} {elapsed}"),
        };
        bar.set_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_message(stage.to_string());
        // A steady tick keeps the elapsed time and ETA moving between slow items.
        bar.enable_steady_tick(Duration::from_millis(200));
        if let Some((old, _, _)) = self
            .slot()
            .replace((bar, stage.to_string(), Instant::now()))
        {
            old.finish_and_clear();
        }
    }

    fn set(&self, done: u64) {
        if let Some((bar, _, _)) = self.slot().as_ref() {
            bar.set_position(done);
        }
    }

    fn finish(&self) {
        if let Some((bar, stage, t)) = self.slot().take() {
            bar.finish_and_clear();
            if t.elapsed() >= Duration::from_secs(1) {
                eprintln!("{stage}: done in {:.1} s", t.elapsed().as_secs_f64());
            }
        }
    }
}
