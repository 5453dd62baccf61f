//! The fixed set of entries the filter scenarios query: 31 public entries `e01`..`e31`
//! of A's `tasks` with varied values (numbers as integers and floats, numbers as strings,
//! integers beyond the precision of a double,
//! null and missing fields, strings that order differently by bytes and by collation,
//! arrays, objects with keys in another order, an object with the key "0", keys with spaces
//! and quotes), three of them updated (revisions 2 and 3); two private entries `p1`, `p2`
//! that a viewer may not read; a deleted entry `d1`; and `b1` in project B's `tasks`. The
//! last four match many filters, so a leak shows.

use std::collections::BTreeMap;

use domain::model::{Entry, Operation};
use domain::query::Filter;
use domain::rules::{self, Decision};
use serde_json::{Value, json};

use crate::support::{Q, Store, TASKS, Who, World, access, labels};

/// The stored state of every fixture entry, by label, as the use cases returned it.
pub struct Fixture {
    /// Entries of A that are not deleted.
    pub entries: BTreeMap<String, Entry>,
}

fn public_entries() -> Vec<Value> {
    vec![
        json!({"n": 1, "s": "apple", "tags": ["red"], "flag": true}),
        json!({"n": 1.0, "s": "Apple", "tags": ["red", "blue"], "flag": false}),
        json!({"n": 2, "s": "banana", "tags": ["blue", "red"]}),
        json!({"n": 2.5, "s": "Z"}),
        json!({"n": 3, "s": "a"}),
        json!({"n": -1, "s": "é"}),
        json!({"n": "6", "s": "z"}),
        json!({"n": null, "s": null}),
        json!({}),
        json!({"n": 10, "s": ""}),
        json!({"n": 100, "obj": {"city": "Oslo", "zip": "0150"}}),
        json!({"obj": {"city": "Oslo"}}),
        json!({"obj": {"zip": "0150", "city": "Oslo"}}),
        json!({"obj": {"city": "Bergen", "nested": {"deep": 1}}}),
        json!({"obj": {"nested": {"deep": 2}}}),
        json!({"obj": "Oslo"}),
        json!({"items": [{"sku": "A1", "qty": 2}, {"sku": "B2", "qty": 5}]}),
        json!({"items": [{"sku": "B2", "qty": 1}]}),
        json!({"items": []}),
        json!({"items": {"0": {"sku": "A1"}}}),
        json!({"tags": []}),
        json!({"tags": "red"}),
        json!({"flag": true, "n": 7}),
        json!({"flag": "true"}),
        json!({"flag": null}),
        json!({"mixed": [1, 2]}),
        json!({"mixed": [1.0, 2.0]}),
        json!({"mixed": {"a": 1}}),
        json!({"a b": 1, "we'ird \"key\"": "x"}),
        json!({"n": 5, "s": "cherry", "nested": [[1, 2], [3]]}),
        json!({"big": 9_007_199_254_740_993_i64}),
    ]
}

fn labelled(label: &str, fields: Value) -> Value {
    let mut fields = fields;
    fields["label"] = json!(label);
    fields
}

impl Fixture {
    /// Stores the fixture in `w`.
    pub async fn seed<S: Store>(w: &World<S>) -> Self {
        let mut entries = BTreeMap::new();
        for (i, fields) in public_entries().into_iter().enumerate() {
            let label = format!("e{:02}", i + 1);
            let e = w
                .create(Who::Carol, w.a, TASKS, labelled(&label, fields))
                .await
                .unwrap();
            entries.insert(label, e);
        }
        for (label, modifier) in [
            ("e03", json!({"$set": {"touched": 1}})),
            ("e05", json!({"$set": {"touched": 1}})),
            ("e10", json!({"$set": {"touched": 1}})),
            ("e10", json!({"$inc": {"touched": 1}})),
        ] {
            let id = entries[label].id;
            let e = w
                .update(Who::Carol, w.a, TASKS, id, modifier, None)
                .await
                .unwrap();
            entries.insert(label.to_owned(), e);
        }
        let carol = format!("user:{}", w.user(Who::Carol));
        let only_carol = access(&[&carol], &[&carol], &[&carol]);
        let editors = access(&["role:editor"], &["role:editor"], &["role:editor"]);
        let private = [
            (
                "p1",
                Who::Carol,
                only_carol,
                json!({"n": 1, "s": "apple", "flag": true}),
            ),
            (
                "p2",
                Who::Alice,
                editors,
                json!({"n": 2, "tags": ["red"], "obj": {"city": "Oslo"}, "mixed": [1, 2]}),
            ),
        ];
        for (label, who, rule, fields) in private {
            let e = w.entry(w.a, TASKS, who, labelled(label, fields), Some(rule));
            w.insert(&e).await;
            entries.insert(label.to_owned(), e);
        }
        let everywhere = json!({"n": 1, "s": "apple", "flag": true, "obj": {"city": "Oslo"}});
        let d1 = w
            .create(Who::Carol, w.a, TASKS, labelled("d1", everywhere.clone()))
            .await
            .unwrap();
        w.delete(Who::Carol, w.a, TASKS, d1.id, None).await.unwrap();
        w.create(Who::Eve, w.b, TASKS, labelled("b1", everywhere))
            .await
            .unwrap();
        Self { entries }
    }

    /// The entry labelled `label`.
    pub fn get(&self, label: &str) -> &Entry {
        &self.entries[label]
    }

    /// The labels `who` may read, as the access rules decide.
    pub fn readable_by<S: Store>(&self, w: &World<S>, who: Who) -> Vec<&Entry> {
        let member = w.member(who, w.a);
        self.entries
            .values()
            .filter(|e| rules::decide(&member, Operation::Read, &e.access) == Decision::Allowed)
            .collect()
    }

    /// The sorted labels of the entries `who` may read that the reference evaluator
    /// `Filter::matches` selects.
    pub fn reference<S: Store>(&self, w: &World<S>, who: Who, filter: &Value) -> Vec<String> {
        let parsed = Filter::parse(filter).expect("a valid filter");
        let mut out: Vec<String> = self
            .readable_by(w, who)
            .into_iter()
            .filter(|e| parsed.matches(&Value::Object(e.to_json())))
            .map(|e| e.fields["label"].as_str().unwrap_or_default().to_owned())
            .collect();
        out.sort();
        out
    }
}

/// The sorted labels the adapter selects for `who` with `filter` (one page holds all), and
/// what `count_data` says for the same filter.
pub async fn selected<S: Store>(w: &World<S>, who: Who, filter: &Value) -> (Vec<String>, u64) {
    let q = Q::filter(filter.clone()).limit(100);
    let page = w.query(who, w.a, TASKS, q).await.unwrap();
    assert_eq!(page.next_cursor, None, "{filter}: more than one page");
    let mut got = labels(&page);
    got.sort();
    let count = w
        .count(who, w.a, TASKS, Some(filter.clone()))
        .await
        .unwrap();
    (got, count)
}

/// Asserts that the reference evaluator (a check of the scenario itself) and the adapter,
/// through `query_data` and `count_data`, select exactly `expected` for dave, the viewer.
pub async fn check<S: Store>(w: &World<S>, fx: &Fixture, filter: Value, expected: Vec<String>) {
    let mut expected = expected;
    expected.sort();
    assert_eq!(
        fx.reference(w, Who::Dave, &filter),
        expected,
        "{filter}: the scenario's expectation disagrees with Filter::matches"
    );
    let (got, count) = selected(w, Who::Dave, &filter).await;
    assert_eq!(got, expected, "{filter}: query_data selected other entries");
    assert_eq!(
        count,
        expected.len() as u64,
        "{filter}: count_data is wrong"
    );
}

/// Labels `e<from>`..=`e<to>` without those in `except`.
pub fn range(from: u32, to: u32, except: &[&str]) -> Vec<String> {
    (from..=to)
        .map(|i| format!("e{i:02}"))
        .filter(|l| !except.contains(&l.as_str()))
        .collect()
}

/// Sorted owned labels.
pub fn set(labels: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = labels.iter().map(|l| (*l).to_owned()).collect();
    out.sort();
    out
}
