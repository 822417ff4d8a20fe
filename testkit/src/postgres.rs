//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary folder, `pg_ctl start` on
//! a free loopback port (as the `postgres` user when the tests run as root, since PostgreSQL
//! refuses to run as root), one database per test, stopped and deleted on drop. No mock: the
//! real server from Debian's `postgresql` package. Without it the tests fail, naming the
//! package, rather than skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

/// A running cluster; dropped, it is stopped and its folder removed.
pub struct PgCluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The folder with `initdb` and `pg_ctl`: on `PATH`, or Debian's `/usr/lib/postgresql/N/bin`.
fn bin_dir() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    debian.sort();
    debian.reverse(); // the newest version first
    on_path
        .into_iter()
        .chain(debian)
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
        // A symlink on PATH (as some images make) leads to the folder with the other tools.
        .and_then(|d| std::fs::canonicalize(d.join("initdb")).ok())
        .and_then(|initdb| initdb.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| {
            panic!(
                "PostgreSQL is not installed (no initdb and pg_ctl on PATH or in \
                 /usr/lib/postgresql/*/bin): install Debian's `postgresql` package \
                 (apt-get install postgresql); .ci/run does"
            )
        })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl PgCluster {
    /// Makes and starts a cluster (a second or two).
    pub fn start() -> PgCluster {
        let bin = bin_dir();
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("veil-pg-")
            .tempdir()
            .expect("tempdir");
        if as_postgres {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))
                .expect("chmod");
        }
        let cluster = PgCluster {
            dir,
            bin,
            port: free_port(),
            as_postgres,
        };
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c max_connections=300",
            cluster.port,
            cluster.dir.path().display()
        );
        let log = cluster.dir.path().join("server.log");
        cluster.run(
            "pg_ctl",
            &[
                "start",
                "-w",
                "-D",
                &data,
                "-o",
                &options,
                "-l",
                &log.display().to_string(),
            ],
        );
        cluster
    }

    /// As [`PgCluster::start`], for a cluster kept in a `static` for the whole test process:
    /// statics are never dropped, so the cluster is stopped and deleted when the process exits.
    pub fn start_for_process() -> PgCluster {
        let cluster = PgCluster::start();
        let stop = cluster.command(
            "pg_ctl",
            &["stop", "-m", "immediate", "-D", &cluster.data()],
        );
        let dir = cluster.dir.path().to_path_buf();
        STOP_AT_EXIT
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((stop, dir));
        // SAFETY: registers a plain `extern "C"` function with no arguments.
        unsafe {
            libc::atexit(stop_at_exit);
        }
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn command(&self, tool: &str, args: &[&str]) -> Command {
        let exe = self.bin.join(tool);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        c.args(args).current_dir(self.dir.path());
        c
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let out = self
            .command(tool, args)
            .output()
            .unwrap_or_else(|e| panic!("running {tool}: {e}"));
        assert!(
            out.status.success(),
            "{tool} {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// A new, empty database; returns its URL.
    pub fn database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("veil_{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let port = self.port.to_string();
        self.run(
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", &name],
        );
        self.url(&name)
    }

    /// The URL of database `name`.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// The cluster's folder (its server log is `server.log`).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Clusters to stop when the process exits, with their folders.
static STOP_AT_EXIT: std::sync::Mutex<Vec<(Command, PathBuf)>> = std::sync::Mutex::new(Vec::new());

extern "C" fn stop_at_exit() {
    let mut all = STOP_AT_EXIT.lock().unwrap_or_else(|e| e.into_inner());
    for (mut stop, dir) in all.drain(..) {
        let _ = stop.output();
        let _ = std::fs::remove_dir_all(dir);
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .command("pg_ctl", &["stop", "-m", "immediate", "-D", &data])
            .output();
    }
}
