//! Interrupting a running `ferromd` child process as a user's Ctrl-C would.

use std::path::Path;
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

/// Waits until `file` (an output the run writes line by line) has at least `lines`
/// lines, so the run loop is going and the signal handler installed, then sends SIGINT
/// to `child` and waits for it to exit.
pub fn interrupt_when_written(child: Child, file: &Path, lines: usize) -> Output {
    let start = Instant::now();
    loop {
        let written = std::fs::read_to_string(file)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if written >= lines {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    child.wait_with_output().unwrap()
}
