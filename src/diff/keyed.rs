//! Matching the entries of two keyed collections (statuses, media types,
//! headers, OAuth flows, server variables): which entry was removed, which
//! was added and which both sides share. Every comparison of such a map
//! walks it the same way, so the matching lives here once and each caller
//! only says how keys compare and what each outcome reports.
//!
//! Pure: must not do I/O.

use serde_json::{Map, Value};

/// One entry of a keyed collection: its key and its value (by default the
/// unresolved JSON value).
pub(crate) type Entry<'a, T = &'a Value> = (&'a str, T);

/// How an entry of one side relates to the other side.
pub(crate) enum Pair<'a, T = &'a Value> {
    /// Only in the base document.
    Removed(Entry<'a, T>),
    /// In both documents: (base entry, revision entry).
    Shared(Entry<'a, T>, Entry<'a, T>),
    /// Only in the revision.
    Added(Entry<'a, T>),
}

/// The entries of the object under `key` of `map`, in document order; none
/// when it is absent or not an object (unreadable parts are skipped).
pub(crate) fn entries<'a>(map: &'a Map<String, Value>, key: &str) -> Vec<Entry<'a>> {
    map.get(key)
        .and_then(Value::as_object)
        .map(|c| c.iter().map(|(k, v)| (k.as_str(), v)).collect())
        .unwrap_or_default()
}

/// Pairs the entries of both sides by key with `same`. Order: every base
/// entry (removed or shared) in base order, then the added ones in revision
/// order, so findings come out as they always did.
pub(crate) fn pair_up<'a, T: Copy>(
    base: &[Entry<'a, T>],
    revision: &[Entry<'a, T>],
    same: impl Fn(&str, &str) -> bool,
) -> Vec<Pair<'a, T>> {
    let mut pairs: Vec<Pair<'a, T>> = base
        .iter()
        .map(|&b| match revision.iter().find(|(key, _)| same(key, b.0)) {
            Some(&r) => Pair::Shared(b, r),
            None => Pair::Removed(b),
        })
        .collect();
    pairs.extend(
        revision
            .iter()
            .filter(|(key, _)| !base.iter().any(|(b, _)| same(b, key)))
            .map(|&r| Pair::Added(r)),
    );
    pairs
}
