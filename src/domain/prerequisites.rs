//! Prerequisite graphs: a course names the courses that must come before it.
//! The graph must stay acyclic; a cycle is reported as its path.
use std::collections::{BTreeMap, BTreeSet};

/// Finds a cycle in `graph` (course → its prerequisites) and returns its path,
/// the first course repeated at the end: `[B000001, B000002, B000001]` means
/// B000001 requires B000002, which requires B000001. Deterministic: nodes are
/// visited in key order. Nodes that only appear as prerequisites are leaves.
pub fn find_cycle<K: Ord + Clone>(graph: &BTreeMap<K, BTreeSet<K>>) -> Option<Vec<K>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        InProgress,
        Done,
    }
    let mut marks: BTreeMap<&K, Mark> = BTreeMap::new();
    for start in graph.keys() {
        if marks.contains_key(start) {
            continue;
        }
        // Iterative depth-first search; `path` holds the nodes in progress.
        let mut path: Vec<&K> = vec![start];
        let mut pending: Vec<std::collections::btree_set::Iter<'_, K>> =
            vec![graph.get(start).map(BTreeSet::iter).unwrap_or_default()];
        marks.insert(start, Mark::InProgress);
        while let Some(next) = pending.last_mut().map(Iterator::next) {
            match next {
                Some(node) => match marks.get(node) {
                    Some(Mark::InProgress) => {
                        let from = path.iter().position(|n| *n == node).unwrap_or(0);
                        let mut cycle: Vec<K> = path[from..].iter().map(|n| (*n).clone()).collect();
                        cycle.push(node.clone());
                        return Some(cycle);
                    }
                    Some(Mark::Done) => {}
                    None => {
                        marks.insert(node, Mark::InProgress);
                        path.push(node);
                        pending.push(graph.get(node).map(BTreeSet::iter).unwrap_or_default());
                    }
                },
                None => {
                    pending.pop();
                    if let Some(done) = path.pop() {
                        marks.insert(done, Mark::Done);
                    }
                }
            }
        }
    }
    None
}

/// A cycle path as people read it: `B000001 → B000002 → B000001`.
pub fn describe_cycle<K: std::fmt::Display>(cycle: &[K]) -> String {
    cycle
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Course → prerequisites, as written in a case.
    type Edges = &'static [(&'static str, &'static [&'static str])];

    fn graph(edges: Edges) -> BTreeMap<&'static str, BTreeSet<&'static str>> {
        edges
            .iter()
            .map(|(course, prereqs)| (*course, prereqs.iter().copied().collect()))
            .collect()
    }

    #[test]
    fn cycles_are_found_with_their_path() {
        let cases: &[(Edges, Option<&str>)] = &[
            (&[], None),
            (&[("B000001", &[])], None),
            (&[("B000002", &["B000001"])], None),
            (
                &[
                    ("B000003", &["B000002", "B000001"]),
                    ("B000002", &["B000001"]),
                ],
                None,
            ),
            // Diamond: shared prerequisites are not a cycle.
            (
                &[
                    ("B000004", &["B000002", "B000003"]),
                    ("B000002", &["B000001"]),
                    ("B000003", &["B000001"]),
                ],
                None,
            ),
            (&[("B000001", &["B000001"])], Some("B000001 → B000001")),
            (
                &[("B000001", &["B000002"]), ("B000002", &["B000001"])],
                Some("B000001 → B000002 → B000001"),
            ),
            (
                &[
                    ("B000001", &["B000002"]),
                    ("B000002", &["B000003"]),
                    ("B000003", &["B000001"]),
                ],
                Some("B000001 → B000002 → B000003 → B000001"),
            ),
            // The cycle is reported from where it closes, not from the entry point.
            (
                &[
                    ("B000001", &["D000001"]),
                    ("D000001", &["P000001"]),
                    ("P000001", &["D000001"]),
                ],
                Some("D000001 → P000001 → D000001"),
            ),
            // A long acyclic chain next to a cycle.
            (
                &[
                    ("B000001", &[]),
                    ("B000002", &["B000001"]),
                    ("B000003", &["B000002"]),
                    ("P000001", &["P000002", "B000003"]),
                    ("P000002", &["P000003"]),
                    ("P000003", &["P000001"]),
                ],
                Some("P000001 → P000002 → P000003 → P000001"),
            ),
        ];
        for (edges, expected) in cases {
            let found = find_cycle(&graph(edges)).map(|c| describe_cycle(&c));
            assert_eq!(found.as_deref(), *expected, "{edges:?}");
        }
    }
}
