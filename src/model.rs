//! The model file: tokenizer settings, a stance head and an optional party head, each a
//! linear classifier over its own vocabulary, plus how it was trained.
//!
//! Scoring is sparse: the logits of a sentence are the bias plus the weight rows of its
//! feature ids, then a softmax. linfa is only used to fit; its weights are copied out
//! (`params()`, `intercept()`, `classes()`) so this file does not depend on its layout.
//!
//! The file is JSON (diffable, `include_str!`-able). Two heads instead of the single
//! `classes`/`weights` of the house-style sketch, because party and stance are separate
//! classifiers with separate vocabularies.

use crate::error::{Error, Result};
use crate::features::Vocabulary;
use crate::tokenize::{Scratch, TokenizerConfig};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// Value of the `format` field.
pub const FORMAT: &str = "detente-model";
/// Newest format version this build reads and the one it writes.
pub const FORMAT_VERSION: u32 = 1;

/// Index of the largest value (the first on a tie; 0 for an empty slice).
pub fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .fold(0, |best, (i, v)| if *v > values[best] { i } else { best })
}

/// A linear classifier: `softmax(bias + Σ weights[id])` over the features present.
#[derive(Clone, Debug)]
pub struct LinearHead {
    /// Class names, in weight-column order.
    pub classes: Vec<String>,
    /// Terms; term `i` owns weight row `i`.
    pub vocabulary: Vocabulary,
    /// Row-major `n_terms × n_classes`.
    pub weights: Vec<f32>,
    /// One per class.
    pub bias: Vec<f32>,
}

impl LinearHead {
    /// Writes the class logits of a sentence with feature `ids` into `logits`
    /// (`logits.len() == classes.len()`).
    pub fn logits_into(&self, ids: &[u32], logits: &mut [f32]) {
        let k = self.classes.len();
        logits.copy_from_slice(&self.bias);
        if let Ok(sums) = <&mut [f32; 3]>::try_from(&mut *logits) {
            // The stance head (three classes), once per sentence: whole fixed-size rows,
            // where the general loop below cost ~38 instructions an id. Same additions in
            // the same order, so the same sums.
            let (rows, _) = self.weights.as_chunks::<3>();
            for &id in ids {
                for (sum, w) in sums.iter_mut().zip(&rows[id as usize]) {
                    *sum += w;
                }
            }
            return;
        }
        for &id in ids {
            let row = &self.weights[id as usize * k..(id as usize + 1) * k];
            for (l, w) in logits.iter_mut().zip(row) {
                *l += w;
            }
        }
    }

    /// Turns logits into probabilities in place.
    pub fn softmax(values: &mut [f32]) {
        let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for v in values.iter_mut() {
            *v = (*v - max).exp();
            sum += *v;
        }
        for v in values.iter_mut() {
            *v /= sum;
        }
    }

    /// Probabilities for a sentence, allocating (for tests and training reports).
    pub fn probabilities(&self, ids: &[u32]) -> Vec<f32> {
        let mut p = vec![0.0; self.classes.len()];
        self.logits_into(ids, &mut p);
        Self::softmax(&mut p);
        p
    }

    fn to_file(&self) -> HeadFile {
        HeadFile {
            classes: self.classes.clone(),
            vocabulary: self.vocabulary.terms().to_vec(),
            weights: self.weights.clone(),
            bias: self.bias.clone(),
        }
    }

    fn from_file(file: HeadFile, name: &str, path: &Path) -> Result<Self> {
        let bad = |reason: String| Error::ModelShape {
            path: path.into(),
            reason: format!("{name} head: {reason}"),
        };
        let (n_terms, k) = (file.vocabulary.len(), file.classes.len());
        if k < 2 {
            return Err(bad(format!("{k} classes; at least 2 are needed")));
        }
        if file.bias.len() != k {
            return Err(bad(format!("{} biases for {k} classes", file.bias.len())));
        }
        if file.weights.len() != n_terms * k {
            return Err(bad(format!(
                "{} weights for {n_terms} terms × {k} classes",
                file.weights.len()
            )));
        }
        if let Some(i) = file
            .weights
            .iter()
            .chain(&file.bias)
            .position(|w| !w.is_finite())
        {
            return Err(bad(format!("non-finite weight at position {i}")));
        }
        if file.vocabulary.windows(2).any(|w| w[0] >= w[1]) {
            return Err(bad("vocabulary is not sorted and unique".into()));
        }
        Ok(LinearHead {
            classes: file.classes,
            vocabulary: Vocabulary::from_terms(file.vocabulary),
            weights: file.weights,
            bias: file.bias,
        })
    }
}

/// How a model was trained, as stored in its file.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct TrainingInfo {
    /// Labeled rows used.
    pub rows: usize,
    /// Distinct `source` groups.
    pub sources: usize,
    /// SHA-256 of the training rows (text, stance, party, source), see `dataset::data_hash`.
    pub data_hash: String,
    /// The chosen L2 strength for the stance head.
    pub alpha: f32,
    /// Other parameters, as given.
    pub params: serde_json::Value,
    /// Grouped cross-validation results.
    pub cv: serde_json::Value,
}

/// A trained detente model.
#[derive(Clone, Debug)]
pub struct Model {
    pub tokenizer: TokenizerConfig,
    pub stance: LinearHead,
    pub party: Option<LinearHead>,
    /// Scores the candidate holders of a sentence (classes `holder`, `other`; vocabulary:
    /// cue names, see `holder.rs`).
    pub holder: Option<LinearHead>,
    pub training: TrainingInfo,
}

#[derive(Serialize, Deserialize)]
struct HeadFile {
    classes: Vec<String>,
    vocabulary: Vec<String>,
    weights: Vec<f32>,
    bias: Vec<f32>,
}

#[derive(Serialize, Deserialize)]
struct ModelFile {
    format: String,
    version: u32,
    created_by: String,
    tokenizer: TokenizerConfig,
    stance: HeadFile,
    #[serde(default)]
    party: Option<HeadFile>,
    #[serde(default)]
    holder: Option<HeadFile>,
    training: TrainingInfo,
}

#[derive(Deserialize)]
struct Header {
    format: Option<String>,
    version: Option<u32>,
}

/// The default model, compiled into the binary as `build.rs` prepared it from
/// `models/stance.json`: the JSON without its weight arrays, and the weights as
/// little-endian `f32` (parsing ~130 000 decimals was most of `detente-tag`'s start).
const BUILTIN_SKELETON: &str = include_str!(concat!(env!("OUT_DIR"), "/stance.skeleton.json"));
const BUILTIN_WEIGHTS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/stance.weights.bin"));

/// The `(head key, weights)` records of [`BUILTIN_WEIGHTS`]; `None` if it is malformed.
fn builtin_weights() -> Option<Vec<(&'static str, Vec<f32>)>> {
    fn u32_at(b: &[u8], at: usize) -> Option<usize> {
        Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
    }
    let b = BUILTIN_WEIGHTS;
    let mut at = 0;
    let mut out = Vec::new();
    while at < b.len() {
        let key_len = u32_at(b, at)?;
        let key = std::str::from_utf8(b.get(at + 4..at + 4 + key_len)?).ok()?;
        at += 4 + key_len;
        let n = u32_at(b, at)?;
        let bytes = b.get(at + 4..at + 4 + 4 * n)?;
        at += 4 + 4 * n;
        let weights = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        out.push((key, weights));
    }
    Some(out)
}

impl Model {
    /// The model shipped in `models/stance.json`.
    ///
    /// # Errors
    /// Only if the build embedded a broken file (a test guards against it).
    pub fn builtin() -> Result<Self> {
        let path = Path::new("<built-in model>");
        let mut file: ModelFile =
            serde_json::from_str(BUILTIN_SKELETON).map_err(|source| Error::ModelJson {
                path: path.into(),
                source,
            })?;
        let bad = |reason: String| Error::ModelShape {
            path: path.into(),
            reason,
        };
        for (key, weights) in builtin_weights().ok_or_else(|| bad("weights blob".into()))? {
            let head = match key {
                "stance" => Some(&mut file.stance),
                "party" => file.party.as_mut(),
                "holder" => file.holder.as_mut(),
                _ => None,
            };
            head.ok_or_else(|| bad(format!("weights of unknown head {key:?}")))?
                .weights = weights;
        }
        Self::from_file(file, path)
    }

    /// Reads a model file.
    ///
    /// # Errors
    /// Unreadable file, not a detente model, a newer format version, or a malformed body.
    pub fn from_path(path: &Path) -> Result<Self> {
        // The default model is ~2 MB; refuse an absurd file before reading it.
        let bytes = crate::input::read_bounded(path, 1 << 30)?;
        let json =
            std::str::from_utf8(&bytes).map_err(|_| Error::NotAModel { path: path.into() })?;
        Self::from_json(json, path)
    }

    /// Parses a model from JSON text; `path` names it in errors.
    ///
    /// # Errors
    /// As [`Model::from_path`].
    pub fn from_json(json: &str, path: &Path) -> Result<Self> {
        let model_err = |source| Error::ModelJson {
            path: path.into(),
            source,
        };
        // One pass over the body when it parses; only when it does not is the header read
        // on its own, so a file from a newer detente gets the right message even when its
        // body no longer matches this build's layout.
        let file: ModelFile = match serde_json::from_str(json) {
            Ok(file) => file,
            Err(body_err) => {
                let header: Header = serde_json::from_str(json).map_err(|e| {
                    if e.is_eof() || e.is_syntax() {
                        model_err(e)
                    } else {
                        Error::NotAModel { path: path.into() }
                    }
                })?;
                check_header(header.format.as_deref(), header.version.unwrap_or(0), path)?;
                return Err(model_err(body_err));
            }
        };
        Self::from_file(file, path)
    }

    fn from_file(file: ModelFile, path: &Path) -> Result<Self> {
        check_header(Some(&file.format), file.version, path)?;
        Ok(Model {
            tokenizer: file.tokenizer,
            stance: LinearHead::from_file(file.stance, "stance", path)?,
            party: file
                .party
                .map(|h| LinearHead::from_file(h, "party", path))
                .transpose()?,
            holder: file
                .holder
                .map(|h| LinearHead::from_file(h, "holder", path))
                .transpose()?,
            training: file.training,
        })
    }

    /// The model as pretty-enough JSON; same model → same bytes.
    pub fn to_json(&self) -> String {
        let file = ModelFile {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            created_by: format!("detente {}", env!("CARGO_PKG_VERSION")),
            tokenizer: self.tokenizer.clone(),
            stance: self.stance.to_file(),
            party: self.party.as_ref().map(LinearHead::to_file),
            holder: self.holder.as_ref().map(LinearHead::to_file),
            training: self.training.clone(),
        };
        let mut s = serde_json::to_string(&file).expect("a model always serialises");
        s.push('\n');
        s
    }

    /// Writes the model to `path` atomically: a temporary file in the same directory,
    /// then a rename, so `path` holds the old model or the new one, never a partial file.
    ///
    /// # Errors
    /// The directory cannot be written.
    pub fn save_atomic(&self, path: &Path) -> Result<()> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let write_err = |source| Error::Write {
            path: path.into(),
            source,
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(".detente-model-")
            .tempfile_in(dir)
            .map_err(write_err)?;
        tmp.write_all(self.to_json().as_bytes())
            .map_err(write_err)?;
        tmp.as_file().sync_all().map_err(write_err)?;
        tmp.persist(path).map_err(|e| write_err(e.error))?;
        Ok(())
    }

    /// Sorted, deduplicated stance-vocabulary ids of `text`, with the party mentions
    /// `masks` (byte ranges in `text`) masked if the tokenizer asks for it.
    pub fn stance_ids_into(
        &self,
        text: &str,
        masks: &[(usize, usize)],
        scratch: &mut Scratch,
        ids: &mut Vec<u32>,
    ) {
        self.stance
            .vocabulary
            .ids_into_masked(&self.tokenizer, text, masks, scratch, ids);
    }

    /// Like [`Model::stance_ids_into`], also keeping the token keys for the party head
    /// ([`Model::party_ids_of_keys`]).
    pub fn stance_ids_and_keys_into(
        &self,
        text: &str,
        masks: &[(usize, usize)],
        scratch: &mut Scratch,
        ids: &mut Vec<u32>,
        keys: &mut Vec<u64>,
    ) {
        self.stance.vocabulary.ids_and_keys_into_masked(
            &self.tokenizer,
            text,
            masks,
            scratch,
            ids,
            keys,
        );
    }
}

fn check_header(format: Option<&str>, version: u32, path: &Path) -> Result<()> {
    if format != Some(FORMAT) {
        return Err(Error::NotAModel { path: path.into() });
    }
    if version > FORMAT_VERSION {
        return Err(Error::ModelTooNew {
            path: path.into(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three-class rows and the general loop add the same weights in the same
    /// order: the logits are equal to the last bit.
    #[test]
    fn stance_logits_are_the_sums_of_the_rows_in_id_order() {
        let model = Model::builtin().unwrap();
        let head = &model.stance;
        let k = head.classes.len();
        assert_eq!(k, 3);
        let n = head.vocabulary.len() as u32;
        let ids: Vec<u32> = (0..n).step_by(7).chain([0, n - 1]).collect();
        let mut expected = head.bias.clone();
        for &id in &ids {
            for (c, e) in expected.iter_mut().enumerate() {
                *e += head.weights[id as usize * k + c];
            }
        }
        let mut got = vec![0.0; k];
        head.logits_into(&ids, &mut got);
        assert_eq!(
            got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            expected.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
    }

    fn tiny() -> Model {
        Model {
            tokenizer: TokenizerConfig::default(),
            stance: LinearHead {
                classes: vec!["conciliatory".into(), "hardline".into(), "neutral".into()],
                vocabulary: Vocabulary::from_terms(vec!["reject".into(), "welcome".into()]),
                weights: vec![-1.0, 2.0, 0.0, 2.0, -1.0, 0.0],
                bias: vec![0.0, 0.0, 0.5],
            },
            party: None,
            holder: None,
            training: TrainingInfo::default(),
        }
    }

    #[test]
    fn scores_sparse_ids_against_weight_rows() {
        let m = tiny();
        let p = m.stance.probabilities(&[0]);
        let e = [(-1f32).exp(), 2f32.exp(), 0.5f32.exp()];
        let z: f32 = e.iter().sum();
        for (a, b) in p.iter().zip(e) {
            assert!((a - b / z).abs() < 1e-6);
        }
    }

    #[test]
    fn json_round_trip_is_byte_identical() {
        let json = tiny().to_json();
        let back = Model::from_json(&json, Path::new("m.json")).unwrap();
        assert_eq!(back.to_json(), json);
    }

    #[test]
    fn refuses_wrong_format_newer_version_and_truncation() {
        let p = Path::new("m.json");
        let json = tiny().to_json();
        assert!(matches!(
            Model::from_json(&json.replace("detente-model", "other"), p),
            Err(Error::NotAModel { .. })
        ));
        assert!(matches!(
            Model::from_json(&json.replace("\"version\":1", "\"version\":99"), p),
            Err(Error::ModelTooNew { found: 99, .. })
        ));
        assert!(matches!(
            Model::from_json(&json[..json.len() / 2], p),
            Err(Error::ModelJson { .. })
        ));
        assert!(matches!(
            Model::from_json(&json.replace("[-1.0,2.0", "[-1.0"), p),
            Err(Error::ModelShape { .. })
        ));
    }

    #[test]
    fn builtin_model_loads() {
        let m = Model::builtin().unwrap();
        assert_eq!(m.stance.classes, ["conciliatory", "hardline", "neutral"]);
    }

    #[test]
    fn builtin_model_is_exactly_models_stance_json() {
        // The build embeds a split form of the file (build.rs); it must be the same model.
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/stance.json");
        let from_file = Model::from_path(&path).unwrap();
        let builtin = Model::builtin().unwrap();
        assert_eq!(builtin.to_json(), from_file.to_json());
        assert_eq!(builtin.stance.weights, from_file.stance.weights);
    }
}
