//! Prepares the built-in model for a fast start.
//!
//! `models/stance.json` stays the model's one true form (what `detente-train --output`
//! writes, what users read and diff, what `Model::from_path` loads). Parsing its ~130 000
//! decimal weights dominated `detente-tag`'s start, so the build splits it in two files
//! under `OUT_DIR`, embedded by `Model::builtin`:
//! - `stance.skeleton.json`: the same JSON with every head's `weights` array emptied;
//! - `stance.weights.bin`: those arrays as little-endian `f32`, each preceded by its head's
//!   key (u32 length + UTF-8) and its length (u32).
//!
//! Values are converted exactly as serde_json deserialises an `f32` (parse as `f64`, then
//! `as f32`), so the built-in model equals `Model::from_path("models/stance.json")`; a
//! unit test in `src/model.rs` checks it.

use std::path::PathBuf;

fn main() {
    let src = "models/stance.json";
    println!("cargo:rerun-if-changed={src}");
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let text = std::fs::read_to_string(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut value: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{src}: {e}"));
    let mut blob = Vec::new();
    if let Some(top) = value.as_object_mut() {
        for (key, head) in top.iter_mut() {
            let Some(weights) = head.get_mut("weights").and_then(|w| w.as_array_mut()) else {
                continue;
            };
            let floats: Vec<f32> = weights
                .iter()
                .map(|w| {
                    w.as_f64()
                        .unwrap_or_else(|| panic!("{src}: {key}.weights holds {w}"))
                        as f32
                })
                .collect();
            weights.clear();
            blob.extend_from_slice(&(key.len() as u32).to_le_bytes());
            blob.extend_from_slice(key.as_bytes());
            blob.extend_from_slice(&(floats.len() as u32).to_le_bytes());
            for f in floats {
                blob.extend_from_slice(&f.to_le_bytes());
            }
        }
    }
    let skeleton = serde_json::to_string(&value).expect("a JSON value serialises");
    std::fs::write(out.join("stance.skeleton.json"), skeleton).expect("write OUT_DIR");
    std::fs::write(out.join("stance.weights.bin"), blob).expect("write OUT_DIR");
}
