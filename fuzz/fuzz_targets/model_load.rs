//! Model files of arbitrary bytes: refused with an error or loaded; a loaded model tags
//! without panicking and saves back to the same bytes it loads from.
#![no_main]

use detente::Model;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(model) = Model::from_json(json, Path::new("fuzz.model")) {
        let saved = model.to_json();
        let again = Model::from_json(&saved, Path::new("saved.model")).expect("reload");
        assert_eq!(again.to_json(), saved);
        if let Ok(mut tagger) =
            detente::Tagger::new(model, detente::party::PartyTable::builtin().unwrap())
        {
            let _ = tagger.tag("Moscow rejected the plan. Kyiv welcomed talks.");
        }
    }
});
