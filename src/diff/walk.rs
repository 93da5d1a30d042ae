//! The state shared by one diff run: both documents, the finding collector,
//! and the memo of schema pairs already compared, which makes shared
//! components cost one comparison and makes `$ref` cycles terminate.
//! Also [`At`], the description of where a schema sits (request or
//! response, body / parameter / header, property path) that decides rule ids
//! and message wording.
//!
//! Pure: must not do I/O.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use serde_json::Value;

use super::collect::Collector;
use super::rules;
use super::schema_change::{Dir, Subject};
use super::stable::Stable;

/// Deepest schema nesting compared (guards hostile inline nesting).
pub(crate) const MAX_SCHEMA_DEPTH: usize = 64;

/// What a schema is the schema of.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Root {
    /// A request or response body; `status` for responses; `webhook` when
    /// the operation is a webhook (the API sends the request).
    Body {
        status: Option<String>,
        webhook: bool,
    },
    /// A parameter, labelled like "query parameter `limit`".
    Parameter { label: String },
    /// A response header, labelled like "response header `X-Rate` (status 200)".
    Header { label: String },
}

/// Where a schema sits.
#[derive(Clone, Debug)]
pub(crate) struct At {
    pub dir: Dir,
    pub root: Root,
    /// Property path such as `Pet.tags[]`; empty at an inline root.
    pub path: String,
    /// The path starts at a named component (so messages omit the status).
    pub anchored: bool,
    pub is_root: bool,
    pub depth: usize,
    /// Nullability was already compared one level up (a schema wrapped into
    /// alternatives); children reset it.
    pub ignore_null: bool,
}

impl At {
    pub(crate) fn new(dir: Dir, root: Root) -> At {
        At {
            dir,
            root,
            path: String::new(),
            anchored: false,
            is_root: true,
            depth: 0,
            ignore_null: false,
        }
    }

    pub(crate) fn subject(&self) -> Subject {
        match (&self.root, self.is_root, self.dir) {
            (Root::Parameter { .. }, true, _) => Subject::RequestParameter,
            (Root::Header { .. }, true, _) => Subject::ResponseHeader,
            (Root::Body { .. }, true, Dir::Request) => Subject::RequestBody,
            (Root::Body { .. }, true, Dir::Response) => Subject::ResponseBody,
            (_, false, Dir::Request) => Subject::RequestProperty,
            (_, false, Dir::Response) => Subject::ResponseProperty,
        }
    }

    /// A nested location: property `name`, or `[]` for items.
    pub(crate) fn child(&self, segment: &str) -> At {
        let path = if self.path.is_empty() {
            segment.to_owned()
        } else if segment.starts_with('[') || segment.starts_with('{') {
            format!("{}{segment}", self.path)
        } else {
            format!("{}.{segment}", self.path)
        };
        At {
            path,
            is_root: false,
            depth: self.depth + 1,
            ignore_null: false,
            ..self.clone()
        }
    }

    /// Same location, entered through a `$ref` to component `name`.
    pub(crate) fn anchored_at(&self, name: &str) -> At {
        At {
            path: name.to_owned(),
            anchored: true,
            depth: self.depth + 1,
            ..self.clone()
        }
    }

    /// Same location one level deeper (composition branches).
    pub(crate) fn deeper(&self) -> At {
        At {
            depth: self.depth + 1,
            ..self.clone()
        }
    }

    fn status_suffix(&self) -> String {
        match &self.root {
            Root::Body {
                status: Some(status),
                ..
            } if !self.anchored => format!(" (status {status})"),
            _ => String::new(),
        }
    }

    /// "request property `Pet.name`", "response body (status 200)", ...
    pub(crate) fn label(&self) -> String {
        let webhook = matches!(self.root, Root::Body { webhook: true, .. });
        let side = match (webhook, self.dir) {
            (false, Dir::Request) => "request",
            (false, Dir::Response) => "response",
            (true, Dir::Response) => "webhook payload",
            (true, Dir::Request) => "webhook reply",
        };
        match (&self.root, self.is_root) {
            (Root::Parameter { label } | Root::Header { label }, true) => label.clone(),
            (Root::Parameter { label } | Root::Header { label }, false) => {
                format!("property `{}` of {label}", self.path)
            }
            (Root::Body { .. }, true) if self.anchored => format!("{side} body `{}`", self.path),
            (Root::Body { .. }, true) => format!("{side} body{}", self.status_suffix()),
            (Root::Body { .. }, false) => {
                format!("{side} property `{}`{}", self.path, self.status_suffix())
            }
        }
    }

    /// The part of the location that a memoised comparison depends on.
    /// Same location, nullability already judged.
    pub(crate) fn without_null(&self) -> At {
        At {
            ignore_null: true,
            depth: self.depth + 1,
            ..self.clone()
        }
    }

    fn memo_root(&self) -> Root {
        match &self.root {
            Root::Body { webhook, .. } => Root::Body {
                status: None,
                webhook: *webhook,
            },
            other => other.clone(),
        }
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct MemoKey {
    base: String,
    revision: String,
    dir: Dir,
    root: Root,
    is_root: bool,
    ignore_null: bool,
}

pub(crate) struct Walk<'a> {
    pub base: &'a Value,
    pub rev: &'a Value,
    pub out: Collector,
    pub stable: Stable,
    memo: HashMap<MemoKey, Rc<[usize]>>,
    active: HashSet<MemoKey>,
}

/// One way a flag can turn: the rule id and the message text.
pub(crate) type Turn<'t> = (&'t str, String);

/// Outcome of entering a memoised comparison.
pub(crate) enum Enter {
    /// Compare now, then call [`Walk::leave`].
    Compare(MemoKey),
    /// Already compared (findings re-attributed) or in progress (a cycle).
    Skip,
}

impl<'a> Walk<'a> {
    pub(crate) fn new(base: &'a Value, rev: &'a Value) -> Walk<'a> {
        Walk {
            base,
            rev,
            out: Collector::default(),
            stable: Stable::compute(base, rev),
            memo: HashMap::new(),
            active: HashSet::new(),
        }
    }

    pub(crate) fn enter(&mut self, base: &str, revision: &str, at: &At) -> Enter {
        let key = MemoKey {
            base: base.to_owned(),
            revision: revision.to_owned(),
            dir: at.dir,
            root: at.memo_root(),
            is_root: at.is_root,
            ignore_null: at.ignore_null,
        };
        if let Some(done) = self.memo.get(&key) {
            let done = Rc::clone(done);
            self.out.replay(&done);
            return Enter::Skip;
        }
        if !self.active.insert(key.clone()) {
            return Enter::Skip;
        }
        self.out.begin_frame();
        Enter::Compare(key)
    }

    pub(crate) fn leave(&mut self, key: MemoKey) {
        let produced = self.out.end_frame();
        self.active.remove(&key);
        self.memo.insert(key, produced.into());
    }

    /// Emits a schema rule `{subject}-{suffix}` for the location, if the
    /// subject has that rule (structural rules do not exist for parameters).
    pub(crate) fn schema_change(
        &mut self,
        at: &At,
        suffix: &str,
        base: &str,
        revision: &str,
        detail: String,
    ) {
        let id = format!("{}-{suffix}", at.subject().prefix());
        if rules::rule(&id).is_none() {
            return;
        }
        let message = sentence(&format!("{}: {detail}", at.label()));
        self.out.emit(&id, Some(base), Some(revision), message);
    }

    /// Reports a flag (required, deprecated) that turned on with rule and
    /// text `on`, or turned off with `off`; nothing when it kept its value.
    pub(crate) fn flag_change(
        &mut self,
        (was, is): (bool, bool),
        (base, revision): (&str, &str),
        on: Turn<'_>,
        off: Turn<'_>,
    ) {
        let (id, text) = match (was, is) {
            (false, true) => on,
            (true, false) => off,
            _ => return,
        };
        self.out
            .emit(id, Some(base), Some(revision), sentence(&text));
    }
}

/// Capitalises the first letter and ends with a period.
pub(crate) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// A JSON value as it appears in messages (compact, truncated).
pub(crate) fn show(value: &Value) -> String {
    let mut text = serde_json::to_string(value).unwrap_or_default();
    if text.len() > 80 {
        let mut cut = 77;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("...");
    }
    format!("`{text}`")
}

/// Up to ten values joined for messages.
pub(crate) fn show_list<'v>(values: impl IntoIterator<Item = &'v Value>) -> String {
    let values: Vec<&Value> = values.into_iter().collect();
    let mut shown: Vec<String> = values.iter().take(10).map(|v| show(v)).collect();
    if values.len() > 10 {
        shown.push(format!("and {} more", values.len() - 10));
    }
    shown.join(", ")
}
