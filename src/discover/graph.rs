//! The dependency graph between integrations, and its cycles.
//!
//! Cycles are found per strongly connected component (Tarjan), so a tangle
//! of integrations that all reach each other counts as one cycle, printed as
//! the shortest loop through its alphabetically first member
//! (`a -> b -> c -> a`). Pure and deterministic (`BTreeMap` order).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// `name -> names it depends on`.
pub type Graph = BTreeMap<String, BTreeSet<String>>;

/// Every cycle, each as the path `[a, b, c, a]`, sorted by first member.
pub fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for component in components(graph) {
        let start = component.iter().next().expect("components are non-empty");
        let self_loop = graph.get(start).is_some_and(|deps| deps.contains(start));
        if component.len() > 1 || self_loop {
            out.push(loop_through(graph, &component, start));
        }
    }
    out.sort();
    out
}

/// The shortest path from `start` back to itself inside `component`.
fn loop_through(graph: &Graph, component: &BTreeSet<String>, start: &str) -> Vec<String> {
    let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in graph.get(node).into_iter().flatten() {
            if !component.contains(next) {
                continue;
            }
            if next == start {
                let mut middle = Vec::new();
                let mut at = node;
                while at != start {
                    middle.push(at.to_owned());
                    at = previous[at];
                }
                middle.reverse();
                let mut path = vec![start.to_owned()];
                path.extend(middle);
                path.push(start.to_owned());
                return path;
            }
            if !previous.contains_key(next.as_str()) {
                previous.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    unreachable!("a strongly connected component has a loop through each member")
}

/// Tarjan's strongly connected components, iteratively (no recursion depth
/// limit): every node in exactly one, a node on no cycle alone. Successors
/// that are not keys of `graph` are left out (they can close no cycle).
pub fn components(graph: &Graph) -> Vec<BTreeSet<String>> {
    let mut tarjan = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        on_stack: BTreeSet::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    for root in graph.keys() {
        if !tarjan.index.contains_key(root.as_str()) {
            tarjan.search_from(root);
        }
    }
    tarjan.out
}

/// A node being searched: the node, its successors, the next successor to visit.
type Frame<'g> = (&'g str, Vec<&'g str>, usize);

/// The state of Tarjan's search, shared by every root.
struct Tarjan<'g> {
    graph: &'g Graph,
    index: BTreeMap<&'g str, usize>,
    low: BTreeMap<&'g str, usize>,
    on_stack: BTreeSet<&'g str>,
    stack: Vec<&'g str>,
    out: Vec<BTreeSet<String>>,
}

impl<'g> Tarjan<'g> {
    /// Numbers `node` in visiting order (each node is numbered once, so the
    /// count so far is the next number) and puts it on the stack.
    fn enter(&mut self, node: &'g str) -> Frame<'g> {
        let number = self.index.len();
        self.index.insert(node, number);
        self.low.insert(node, number);
        self.stack.push(node);
        self.on_stack.insert(node);
        let successors = self
            .graph
            .get(node)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(|s| self.graph.contains_key(*s))
            .collect();
        (node, successors, 0)
    }

    /// The depth-first search from `root`, with an explicit work stack.
    fn search_from(&mut self, root: &'g str) {
        let mut work = vec![self.enter(root)];
        while let Some((node, succ, at)) = work.last_mut() {
            let node = *node;
            if let Some(&next) = succ.get(*at) {
                *at += 1;
                if !self.index.contains_key(next) {
                    let frame = self.enter(next);
                    work.push(frame);
                } else if self.on_stack.contains(next) {
                    let l = self.low[node].min(self.index[next]);
                    self.low.insert(node, l);
                }
                continue;
            }
            work.pop();
            if let Some((parent, _, _)) = work.last() {
                let l = self.low[*parent].min(self.low[node]);
                self.low.insert(parent, l);
            }
            if self.low[node] == self.index[node] {
                self.pop_component(node);
            }
        }
    }

    /// Takes `root`'s component off the stack.
    fn pop_component(&mut self, root: &str) {
        let mut component = BTreeSet::new();
        while let Some(member) = self.stack.pop() {
            self.on_stack.remove(member);
            component.insert(member.to_owned());
            if member == root {
                break;
            }
        }
        self.out.push(component);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &str)]) -> Graph {
        let mut g = Graph::new();
        for (a, b) in edges {
            g.entry((*a).into()).or_default().insert((*b).into());
            g.entry((*b).into()).or_default();
        }
        g
    }

    #[test]
    fn acyclic_graphs_have_no_cycles() {
        assert!(cycles(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])).is_empty());
    }

    #[test]
    fn each_tangle_is_one_cycle_printed_from_its_first_member() {
        let g = graph(&[
            ("c", "a"),
            ("a", "b"),
            ("b", "c"),
            ("b", "a"),
            ("x", "x"),
            ("y", "a"),
        ]);
        assert_eq!(
            cycles(&g),
            vec![vec!["a", "b", "a"], vec!["x", "x"]]
                .into_iter()
                .map(|c| c.into_iter().map(String::from).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        );
        let three = graph(&[("b", "c"), ("c", "a"), ("a", "b")]);
        assert_eq!(cycles(&three), vec![vec!["a", "b", "c", "a"]]);
    }

    #[test]
    fn long_chains_do_not_overflow_the_stack() {
        let names: Vec<String> = (0..100_000).map(|i| format!("n{i}")).collect();
        let mut g = Graph::new();
        for pair in names.windows(2) {
            g.entry(pair[0].clone())
                .or_default()
                .insert(pair[1].clone());
        }
        g.entry(names[99_999].clone())
            .or_default()
            .insert(names[0].clone());
        let found = cycles(&g);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].len(), 100_001);
    }
}
