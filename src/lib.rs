//! detente tags each sentence of a news article about a dispute with a **stance**
//! (`conciliatory`, `hardline`, `neutral`) and the **party** whose stance it is.
//!
//! The pipeline, one module per step:
//! [`segment`] (article → sentence spans) → [`tokenize`] (sentence → features) →
//! [`features`] (features → ids) → [`model`] (ids → stance and party scores) →
//! [`party`] (mentions of parties, the holder, carry-over) → [`tag`] (all of it per
//! article) → [`output`] (text, JSON, CSV). Training: [`dataset`] (labeled CSV) →
//! [`train`] (grouped cross-validation, linfa fit) → [`evaluation`] (scores).
//!
//! ```
//! use detente::tag::Tagger;
//! let mut tagger = Tagger::builtin().unwrap();
//! let article = "MOSCOW, Feb. 4 — The Kremlin rejected the U.S. proposal. \
//!                Peskov said Moscow would never accept it.";
//! let tagged = tagger.tag(article);
//! assert_eq!(tagged.len(), 2);
//! assert_eq!(tagged[0].party.as_deref(), Some("Russia"));
//! ```

pub mod batch;
pub mod dataset;
pub mod error;
pub mod evaluation;
pub mod explain;
pub mod features;
pub mod holder;
pub mod input;
pub mod introduced;
pub mod model;
pub mod output;
pub mod party;
pub mod reference;
pub mod report;
pub mod segment;
pub mod stance;
pub mod summary;
pub mod tag;
pub mod timeline;
pub mod tokenize;
pub mod train;
pub mod uncertain;

pub use error::{Error, Result};
pub use model::Model;
pub use stance::Stance;
pub use tag::{Tagged, Tagger};
