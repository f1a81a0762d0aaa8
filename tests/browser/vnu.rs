//! The Nu Html Checker (`vnu.jar`, from npm's `vnu-jar`), run once over many
//! saved pages.
use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::Value;

/// `VNU_JAR`, else where `scripts/test` installs it (`npm ci` in the repo).
/// A missing checker fails the test: it is never skipped.
pub fn jar() -> PathBuf {
    let path = std::env::var_os("VNU_JAR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/vnu-jar/build/dist/vnu.jar"),
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "the Nu Html Checker is not at {}: run `scripts/test` (it installs vnu-jar \
         with npm), or set VNU_JAR to a vnu.jar",
        path.display()
    );
    path
}

/// One error the checker found.
pub struct Finding {
    pub file: String,
    pub line: u64,
    pub message: String,
    pub extract: String,
}

/// Checks `files` in one run of the checker; returns every error.
pub fn errors(jar: &Path, files: &[PathBuf]) -> Vec<Finding> {
    let output = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--format", "json", "--stdout"])
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run java (Java 17 or later; `scripts/test` checks it): {e}")
        });
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "the checker's answer is not JSON ({e}); status {}, stderr: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let messages = report["messages"].as_array().expect("messages");
    messages
        .iter()
        .map(|m| Finding {
            file: m["url"]
                .as_str()
                .unwrap_or_default()
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned(),
            line: m["lastLine"].as_u64().unwrap_or_default(),
            message: format!(
                "{}: {}",
                m["type"].as_str().unwrap_or("error"),
                m["message"].as_str().unwrap_or_default()
            ),
            extract: m["extract"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}
