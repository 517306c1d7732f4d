//! Command builders shared by the integration tests: the binaries in a clean environment.
#![allow(dead_code)] // each test binary uses a different subset

use assert_cmd::Command;

/// `detente-tag`, with the developer's `NO_COLOR` removed so it cannot change results.
pub fn tag() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_detente-tag"));
    cmd.env_remove("NO_COLOR");
    cmd
}

/// `detente-train`, in the same clean environment.
pub fn train() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_detente-train"));
    cmd.env_remove("NO_COLOR");
    cmd
}

/// Runs the command, asserts success and returns its stdout.
pub trait OkStdout {
    fn ok_stdout(&mut self) -> Vec<u8>;
}

impl OkStdout for Command {
    fn ok_stdout(&mut self) -> Vec<u8> {
        self.assert().success().get_output().stdout.clone()
    }
}
