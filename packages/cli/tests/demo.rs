//! The demo, as a newcomer runs it (the `acn demo` binary), on the two CPU backends: it deploys
//! the whole system on the embedded chain, runs real models in provider workers, slashes the
//! cheater, runs an agent among the jobs, and checks itself (supply against burns, accuracy of
//! the agreed labels, embeddings of two backends within tolerance, the agent run completed and
//! routed as its digits say): a failed check is a non-zero exit.

use std::process::Command;

#[test]
fn the_demo_settles_its_jobs_and_its_agent_run_on_two_backends() {
    let out = Command::new(env!("CARGO_BIN_EXE_acn"))
        .args(["demo", "--backends", "flex,ndarray", "--jobs", "10"])
        .output()
        .expect("run acn demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "acn demo failed:\n{stdout}\n{stderr}");
    for expected in [
        "| jobs submitted / settled / disputed / expired | 10 / 10 / 0 / 0 |",
        "| agent run 1 (digit-menu, 2 steps, jobs ",
        "completed / banking, alarm, travel, food / 4 of 4 |",
        "text embeddings, flex, ndarray vs each other",
        "| provider-4 | ndarray | cheat |",
    ] {
        assert!(stdout.contains(expected), "no {expected:?} in:\n{stdout}");
    }
}
