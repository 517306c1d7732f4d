use super::*;
use std::path::Path;
use std::sync::Arc;

fn example(text: &str, stance: Stance, party: &str, source: &str) -> Example {
    Example {
        text: text.into(),
        stance,
        party: Some(party.into()),
        source: source.into(),
        file: Arc::from(Path::new("t.csv")),
        line: 1,
    }
}

/// A small corpus where cue words decide the stance.
fn corpus() -> Vec<Example> {
    use Stance::*;
    let rows = [
        (
            "Moscow rejected the offer and warned of retaliation",
            Hardline,
            "Russia",
        ),
        (
            "Kyiv welcomed the talks and offered a prisoner swap",
            Conciliatory,
            "Ukraine",
        ),
        (
            "The delegation arrived in Geneva on Monday",
            Neutral,
            "none",
        ),
        (
            "The Kremlin rejected any ceasefire and accused Kyiv",
            Hardline,
            "Russia",
        ),
        (
            "Ukraine welcomed progress and thanked the mediators",
            Conciliatory,
            "Ukraine",
        ),
        (
            "Talks are scheduled for Friday in Istanbul",
            Neutral,
            "none",
        ),
        (
            "Putin warned that Moscow would retaliate",
            Hardline,
            "Russia",
        ),
        (
            "Zelenskiy offered talks and welcomed the plan",
            Conciliatory,
            "Ukraine",
        ),
        (
            "The meeting was attended by four officials",
            Neutral,
            "none",
        ),
        (
            "Russia accused Ukraine and rejected the proposal",
            Hardline,
            "Russia",
        ),
        (
            "Kyiv thanked Washington and welcomed the swap",
            Conciliatory,
            "Ukraine",
        ),
        ("The second round is scheduled for March", Neutral, "none"),
    ];
    rows.iter()
        .enumerate()
        .map(|(i, (t, s, p))| example(t, *s, p, &format!("a{}", i / 3)))
        .collect()
}

fn quiet(_: &str) {}

#[test]
fn sparse_scores_equal_linfa_predict_probabilities() {
    let examples = corpus();
    let params = TrainParams::default()
        .min_df(1)
        .balance(false)
        .max_iterations(200)
        .check()
        .unwrap();
    let docs: Vec<Vec<String>> = examples
        .iter()
        .map(|e| params.tokenizer.feature_list(&e.text))
        .collect();
    let labels: Vec<usize> = examples.iter().map(|e| e.stance.index()).collect();
    let idx: Vec<usize> = (0..examples.len()).collect();
    let prepared = prepare(&docs, &labels, &idx, 3, 1, 1000);
    let classes: Vec<String> = Stance::ALL.iter().map(|s| s.to_string()).collect();
    let (head, _) = fit_prepared(&prepared, &classes, 1.0, &params, None).unwrap();

    let linfa_model = MultiLogisticRegression::<f32>::default()
        .alpha(1.0)
        .max_iterations(200)
        .gradient_tolerance(1e-3)
        .fit(&Dataset::new(
            prepared.x.clone(),
            Array1::from(prepared.labels.clone()),
        ))
        .unwrap();
    let expected = linfa_model.predict_probabilities(&prepared.x);
    for (r, doc) in docs.iter().enumerate() {
        let got = head.probabilities(&head.vocabulary.ids_of(doc));
        for c in 0..3 {
            assert!(
                (got[c] - expected[[r, c]]).abs() < 1e-5,
                "row {r} class {c}: {} vs {}",
                got[c],
                expected[[r, c]]
            );
        }
    }
}

#[test]
fn learns_cue_words_and_reports_cross_validation() {
    let params = TrainParams::default().min_df(1).folds(4).check().unwrap();
    let (model, report) =
        train(&corpus(), &params, &PartyTable::builtin().unwrap(), &quiet).unwrap();
    assert_eq!(report.folds, 4);
    assert_eq!(report.alpha_scores.len(), params.alphas.len());
    let tok = &model.tokenizer;
    let probs = |t: &str| {
        model
            .stance
            .probabilities(&model.stance.vocabulary.ids_of(&tok.feature_list(t)))
    };
    assert_eq!(
        argmax(&probs("Moscow rejected and warned")),
        Stance::Hardline.index()
    );
    assert_eq!(
        argmax(&probs("Kyiv welcomed the swap")),
        Stance::Conciliatory.index()
    );
    assert!(
        model.party.is_none(),
        "parties with fewer than 15 rows make no party head"
    );
}

#[test]
fn party_head_is_trained_when_parties_have_enough_rows() {
    let params = TrainParams::default()
        .min_df(1)
        .folds(2)
        .party_min_rows(4)
        .check()
        .unwrap();
    let (model, report) =
        train(&corpus(), &params, &PartyTable::builtin().unwrap(), &quiet).unwrap();
    let party = model.party.expect("party head");
    assert_eq!(party.classes, ["Russia", "Ukraine", "none"]);
    assert!(
        report.cv_party_accuracy.is_none(),
        "the party head alone is cross-validated only when asked"
    );
    let (_, report) = train(
        &corpus(),
        &params.party_head_cv(true),
        &PartyTable::builtin().unwrap(),
        &quiet,
    )
    .unwrap();
    assert!(report.cv_party_accuracy.is_some());
}

#[test]
fn folds_never_split_a_source() {
    let ex = corpus();
    let folds = group_folds(&ex, 3);
    for (a, fa) in ex.iter().zip(&folds) {
        for (b, fb) in ex.iter().zip(&folds) {
            if a.source == b.source {
                assert_eq!(fa, fb);
            }
        }
    }
    assert_eq!(folds.iter().max(), Some(&2));
}

#[test]
fn one_class_and_bad_params_are_refused() {
    let only: Vec<Example> = corpus()
        .into_iter()
        .filter(|e| e.stance == Stance::Neutral)
        .collect();
    let err = train(
        &only,
        &TrainParams::default(),
        &PartyTable::builtin().unwrap(),
        &quiet,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the training data has only one stance (neutral); at least two are needed"
    );
    assert!(TrainParams::default().alphas(vec![-1.0]).check().is_err());
    assert!(TrainParams::default().folds(1).check().is_err());
}

#[test]
fn same_data_and_params_give_the_same_bytes() {
    let params = TrainParams::default().min_df(1).folds(2).check().unwrap();
    let a = train(&corpus(), &params, &PartyTable::builtin().unwrap(), &quiet)
        .unwrap()
        .0
        .to_json();
    let b = train(&corpus(), &params, &PartyTable::builtin().unwrap(), &quiet)
        .unwrap()
        .0
        .to_json();
    assert_eq!(a, b);
}

#[test]
fn party_cross_validation_scores_every_labeled_row_held_out() {
    let examples = corpus();
    let params = TrainParams::default().min_df(1).folds(4).check().unwrap();
    let parties = PartyTable::builtin().unwrap();
    let cv = party_cross_validation(&examples, &params, &parties, &[0.0, 50.0], &quiet).unwrap();
    assert_eq!(cv.len(), 2);
    for e in &cv {
        assert_eq!(e.party_total, examples.len());
    }
    // "Nobody" pushed far up: every row is `none`, right exactly on the `none` rows.
    let none_rows = examples
        .iter()
        .filter(|e| e.party.as_deref() == Some("none"))
        .count();
    assert_eq!(cv[1].party_correct, none_rows);
    assert_eq!(cv[1].party_misses.len(), examples.len() - none_rows);
    // The cues name the speaker of these short sentences better than that.
    assert!(cv[0].party_correct > none_rows, "{}", cv[0].party_correct);
}
