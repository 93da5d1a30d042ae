//! Alias cycles: a cycle of named types not broken by an object cannot be
//! declared in any target language, so its back edge is dropped (with a
//! warning saying where).
//!
//! Must not do I/O.

use super::*;

impl<'a> Lowerer<'a> {
    /// Drops the back edges of cycles of named types that are not broken by
    /// an object (see the module docs).
    pub(super) fn break_alias_cycles(&mut self) {
        let index: HashMap<String, usize> = self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        let is_alias = |t: &TypeDef| !matches!(t.ty, Type::Object(_));
        // 0 = unvisited, 1 = on the stack, 2 = done.
        let mut state = vec![0u8; self.types.len()];
        let mut back_edges: Vec<(usize, String)> = Vec::new();
        for start in 0..self.types.len() {
            if state[start] != 0 || !is_alias(&self.types[start]) {
                continue;
            }
            // Iterative DFS: (node, its direct refs, next index).
            let mut stack: Vec<(usize, Vec<String>, usize)> = Vec::new();
            let mut refs = Vec::new();
            self.types[start].ty.direct_refs(&mut refs);
            state[start] = 1;
            stack.push((start, refs, 0));
            while let Some((node, refs, next)) = stack.last_mut() {
                if *next >= refs.len() {
                    state[*node] = 2;
                    stack.pop();
                    continue;
                }
                let target = refs[*next].clone();
                *next += 1;
                let node = *node;
                let Some(&t) = index.get(&target) else {
                    continue;
                };
                if !is_alias(&self.types[t]) {
                    continue;
                }
                match state[t] {
                    0 => {
                        let mut r = Vec::new();
                        self.types[t].ty.direct_refs(&mut r);
                        state[t] = 1;
                        stack.push((t, r, 0));
                    }
                    1 => back_edges.push((node, target)),
                    _ => {}
                }
            }
        }
        for (node, target) in back_edges {
            let def = &mut self.types[node];
            self.warnings.push(format!(
                "type {} refers to itself through {} without an object in between; that reference was dropped",
                def.name, target
            ));
            def.ty = drop_direct_ref(std::mem::replace(&mut def.ty, Type::Unknown), &target);
        }
    }
}

fn drop_direct_ref(ty: Type, target: &str) -> Type {
    match ty {
        Type::Ref { name } if name == target => Type::Unknown,
        Type::Intersection { parts } => {
            let parts: Vec<Type> = parts
                .into_iter()
                .map(|p| drop_direct_ref(p, target))
                .filter(|p| *p != Type::Unknown)
                .collect();
            match parts.len() {
                0 => Type::Unknown,
                1 => parts.into_iter().next().unwrap_or(Type::Unknown),
                _ => Type::Intersection { parts },
            }
        }
        Type::Union {
            variants,
            discriminator,
        } => {
            let variants: Vec<Type> = variants
                .into_iter()
                .map(|v| drop_direct_ref(v, target))
                .collect();
            if variants.contains(&Type::Unknown) {
                Type::Unknown
            } else {
                Type::Union {
                    variants,
                    discriminator,
                }
            }
        }
        Type::Nullable { inner } => drop_direct_ref(*inner, target).nullable(),
        other => other,
    }
}
