//! Every naming decision of the `generate` stage, per target language: how a
//! name from the spec (a schema key, a tag, an `operationId`, a property, a
//! path) becomes an identifier that is valid, idiomatic and unique in its
//! scope. Must not do I/O, and emitters must not invent names of their own.
//!
//! Rules (both languages unless said otherwise):
//!
//! - **Words.** A name is split into words at every character that is not an
//!   ASCII letter or digit (so punctuation and non-ASCII characters vanish),
//!   at lower-to-upper case changes (`petId` -> `pet`, `Id`), and before the
//!   last capital of a capital run followed by a lower-case letter
//!   (`HTTPError` -> `HTTP`, `Error`). Digits stay with the word they follow.
//!   A name with no lower-case letter at all (`PET_STORE`) is lower-cased
//!   first, so shouting does not survive into PascalCase.
//! - **Casing.** Types are PascalCase; TypeScript members (methods,
//!   resources, parameters) are camelCase; Python members are snake_case.
//!   Inside a word the author's capitals are kept (`HTTPError` stays).
//! - **Invalid identifiers.** A name that starts with a digit gets a prefix
//!   (`T` for types, `_` for members); a name with no usable character at all
//!   becomes the caller's fallback (`Type`, `value`, ...).
//! - **Reserved words.** A Python member that is a keyword, a soft keyword
//!   or a builtin constant gets a trailing `_`. TypeScript members are only
//!   ever property keys and method names (never bindings), where reserved
//!   words are legal, so they stay (`client.pets.delete()`); names that
//!   would shadow the generated classes' own members are reserved per scope. A
//!   type name that is a built-in type of the language or a name the
//!   generated package exports itself (`Client`, `ApiError`, ...) gets the
//!   suffix `Model`.
//! - **Collisions** are resolved by [`Scope::claim`]: the first claimant
//!   keeps the name, later ones get `2`, `3`, ... in declaration order, which
//!   is the spec's own order, so the result is deterministic.
//! - **Missing `operationId`**: the method and the path make the name
//!   (`GET /pets/{petId}/photos` -> `get pets by petId photos`).
//! - **TypeScript properties** keep their wire name (no runtime renaming);
//!   a wire name that is not a valid identifier is printed as a quoted key.

use std::collections::HashSet;

/// A target language of the SDK generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Language {
    TypeScript,
    Python,
}

/// Splits a name into words (see the module docs).
pub fn words(raw: &str) -> Vec<String> {
    let shouting = !raw.chars().any(|c| c.is_ascii_lowercase());
    let mut out: Vec<String> = Vec::new();
    for chunk in raw.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = chunk.chars().collect();
        let mut current = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None => false,
                Some(p) => {
                    c.is_ascii_uppercase()
                        && ((p.is_ascii_lowercase() || p.is_ascii_digit())
                            || (p.is_ascii_uppercase()
                                && next.is_some_and(|n| n.is_ascii_lowercase())))
                }
            };
            if boundary && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current.push(c);
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    if shouting {
        for w in &mut out {
            *w = w.to_ascii_lowercase();
        }
    }
    out
}

fn upper_first(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// `PascalCase` of the words of `raw` (no validity checks).
pub fn pascal(raw: &str) -> String {
    words(raw).iter().map(|w| upper_first(w)).collect()
}

/// `camelCase` of the words of `raw` (no validity checks).
pub fn camel(raw: &str) -> String {
    let ws = words(raw);
    let mut out = String::new();
    for (i, w) in ws.iter().enumerate() {
        if i == 0 {
            // A leading acronym is lowered as a whole: `HTTPServer` -> `httpServer`.
            out.push_str(&w.to_ascii_lowercase());
        } else {
            out.push_str(&upper_first(w));
        }
    }
    out
}

/// `snake_case` of the words of `raw` (no validity checks).
pub fn snake(raw: &str) -> String {
    words(raw)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_")
}

/// ECMAScript reserved words (including strict mode and contextual ones
/// that cannot name a binding).
const TS_KEYWORDS: &[&str] = &[
    "arguments",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "new",
    "null",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "undefined",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// Type names TypeScript reserves or that the generated package uses or
/// exports itself.
const TS_RESERVED_TYPES: &[&str] = &[
    "Any",
    "Array",
    "ApiError",
    "ArrayBuffer",
    "Blob",
    "Client",
    "ClientOptions",
    "AuthOptions",
    "BasicCredential",
    "Credential",
    "RequestOptions",
    "Date",
    "Error",
    "File",
    "FormData",
    "Headers",
    "Object",
    "Promise",
    "Record",
    "ServerVariables",
    "Uint8Array",
    "servers",
];

/// Python keywords, soft keywords and builtin constants.
const PY_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "case", "class",
    "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
    "import", "in", "is", "lambda", "match", "nonlocal", "not", "or", "pass", "raise", "return",
    "self", "try", "type", "while", "with", "yield", "_",
];

/// Python builtins and typing names a generated module uses.
const PY_RESERVED_TYPES: &[&str] = &[
    "Any",
    "ApiError",
    "Client",
    "AsyncClient",
    "ClientOptions",
    "RequestOptions",
    "Dict",
    "Enum",
    "Exception",
    "List",
    "Literal",
    "Optional",
    "Union",
    "Type",
    "Self",
    "Bytes",
];

/// Whether `name` is a keyword (members) of `lang`.
pub fn is_keyword(lang: Language, name: &str) -> bool {
    match lang {
        Language::TypeScript => TS_KEYWORDS.contains(&name),
        Language::Python => PY_KEYWORDS.contains(&name),
    }
}

fn fix_start(mut name: String, prefix: &str, fallback: &str) -> String {
    if name.is_empty() {
        name = fallback.to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, prefix);
    }
    name
}

/// A type name (class, interface, alias) for `raw`.
pub fn type_name(lang: Language, raw: &str) -> String {
    let name = fix_start(pascal(raw), "T", "Type");
    let reserved = match lang {
        Language::TypeScript => TS_RESERVED_TYPES.contains(&name.as_str()),
        Language::Python => {
            PY_RESERVED_TYPES.contains(&name.as_str()) || PY_KEYWORDS.contains(&name.as_str())
        }
    };
    if reserved { name + "Model" } else { name }
}

/// A member name (method, resource, parameter, Python attribute) for `raw`;
/// `fallback` when nothing usable is left.
pub fn member_name(lang: Language, raw: &str, fallback: &str) -> String {
    let cased = match lang {
        Language::TypeScript => camel(raw),
        Language::Python => snake(raw),
    };
    let name = fix_start(cased, "_", fallback);
    // TypeScript members are only ever property keys and method names,
    // where ES5+ allows reserved words; bindings are never generated.
    if lang == Language::Python && is_keyword(lang, &name) {
        name + "_"
    } else {
        name
    }
}

/// Enum member names: `SCREAMING_SNAKE` in Python, PascalCase in TypeScript.
pub fn enum_member_name(lang: Language, raw: &str) -> String {
    match lang {
        Language::TypeScript => fix_start(pascal(raw), "_", "Empty"),
        Language::Python => {
            let name = fix_start(snake(raw).to_ascii_uppercase(), "_", "EMPTY");
            if is_keyword(lang, &name) {
                name + "_"
            } else {
                name
            }
        }
    }
}

/// Whether `name` can be written bare as a TypeScript property key or
/// identifier (ASCII only, on purpose).
pub fn is_ts_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// The identifier for a property of a generated model: TypeScript keeps the
/// wire name (the emitter quotes it when [`is_ts_identifier`] says so);
/// Python uses snake_case with the wire name kept as an alias.
pub fn property_name(lang: Language, wire: &str) -> String {
    match lang {
        Language::TypeScript => wire.to_owned(),
        Language::Python => member_name(lang, wire, "field"),
    }
}

/// The words that name an operation without an `operationId`:
/// `GET /pets/{petId}/photos` -> `get pets by petId photos`.
pub fn operation_words(method: &str, path: &str) -> String {
    let mut parts = vec![method.to_ascii_lowercase()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            parts.push("by".into());
            parts.push(param.to_owned());
        } else {
            parts.push(segment.to_owned());
        }
    }
    parts.join(" ")
}

/// A method name inside a resource: the operation's words without the words
/// that name the resource (`listPets` in `pets` -> `list`), unless nothing
/// would be left.
pub fn method_name(lang: Language, operation: &str, resource: &str) -> String {
    let resource_words: Vec<String> = words(resource)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let is_resource_word = |w: &str| {
        let w = w.to_ascii_lowercase();
        let singular = |x: &str| -> String {
            if let Some(stem) = x.strip_suffix("ies") {
                format!("{stem}y")
            } else {
                x.strip_suffix('s').unwrap_or(x).to_owned()
            }
        };
        resource_words.iter().any(|r| {
            *r == w || singular(r) == w || singular(&w) == *r || singular(r) == singular(&w)
        })
    };
    let ws = words(operation);
    let kept: Vec<&String> = ws.iter().filter(|w| !is_resource_word(w)).collect();
    // Keep the full name when stripping leaves nothing or only "by ..." glue.
    let useful = kept
        .first()
        .is_some_and(|w| !w.eq_ignore_ascii_case("by") && !w.chars().all(|c| c.is_ascii_digit()));
    let chosen = if useful {
        kept.iter()
            .map(|w| w.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        ws.join(" ")
    };
    member_name(lang, &chosen, "call")
}

/// One namespace in which names must be unique.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    used: HashSet<String>,
}

impl Scope {
    pub fn new() -> Scope {
        Scope::default()
    }

    /// A scope where `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Scope {
        Scope {
            used: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// `base` if free, else `base2`, `base3`, ...; the result is taken.
    pub fn claim(&mut self, base: &str) -> String {
        let mut candidate = base.to_owned();
        let mut n = 2;
        while self.used.contains(&candidate) {
            candidate = format!("{base}{n}");
            n += 1;
        }
        self.used.insert(candidate.clone());
        candidate
    }

    pub fn contains(&self, name: &str) -> bool {
        self.used.contains(name)
    }
}

/// An npm package name derived from the API title: `Acme Pets API` -> `acme-pets-api`.
pub fn npm_package_name(title: &str) -> String {
    let name = words(title)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("-");
    if name.is_empty() {
        "api-client".into()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::{Python, TypeScript};

    #[test]
    fn word_splitting() {
        let table: &[(&str, &[&str])] = &[
            ("petId", &["pet", "Id"]),
            ("HTTPError", &["HTTP", "Error"]),
            ("pet_store-v2", &["pet", "store", "v2"]),
            ("PET_STORE", &["pet", "store"]),
            ("pet2Owner", &["pet2", "Owner"]),
            ("2fa", &["2fa"]),
            ("café au lait", &["caf", "au", "lait"]),
            ("a.b/c d", &["a", "b", "c", "d"]),
            ("", &[]),
            ("$$$", &[]),
        ];
        for (raw, expected) in table {
            assert_eq!(words(raw), *expected, "{raw}");
        }
    }

    #[test]
    fn casing_per_language() {
        let table = [
            // raw, TS type, TS member, Python member
            ("pet", "Pet", "pet", "pet"),
            ("list_pets", "ListPets", "listPets", "list_pets"),
            ("HTTPServer", "HTTPServer", "httpServer", "http_server"),
            ("x-rate-limit", "XRateLimit", "xRateLimit", "x_rate_limit"),
            ("3ds", "T3ds", "_3ds", "_3ds"),
            ("class", "Class", "class", "class_"),
            ("from", "From", "from", "from_"),
            ("None", "None", "none", "none"),
            ("Error", "ErrorModel", "error", "error"),
            ("Client", "ClientModel", "client", "client"),
            ("***", "Type", "value", "value"),
            ("名前", "Type", "value", "value"),
            ("delete", "Delete", "delete", "delete"),
        ];
        for (raw, ty, ts, py) in table {
            assert_eq!(type_name(TypeScript, raw), ty, "TS type {raw}");
            assert_eq!(member_name(TypeScript, raw, "value"), ts, "TS member {raw}");
            assert_eq!(member_name(Python, raw, "value"), py, "Python member {raw}");
        }
        assert_eq!(type_name(Python, "List"), "ListModel");
        assert_eq!(type_name(Python, "Error"), "Error");
    }

    #[test]
    fn enum_members() {
        assert_eq!(enum_member_name(TypeScript, "in-progress"), "InProgress");
        assert_eq!(enum_member_name(Python, "in-progress"), "IN_PROGRESS");
        assert_eq!(enum_member_name(Python, "1st"), "_1ST");
        assert_eq!(enum_member_name(TypeScript, ""), "Empty");
    }

    #[test]
    fn operation_names() {
        assert_eq!(
            operation_words("GET", "/pets/{petId}/photos"),
            "get pets by petId photos"
        );
        let table = [
            ("listPets", "pets", "list", "list"),
            ("createPet", "pets", "create", "create"),
            ("showPetById", "pets", "showById", "show_by_id"),
            ("getCategory", "categories", "get", "get"),
            ("pets", "pets", "pets", "pets"),
            ("get pets by petId", "pets", "getById", "get_by_id"),
            (
                "get pets by petId",
                "stores",
                "getPetsByPetId",
                "get_pets_by_pet_id",
            ),
            ("delete_store", "store", "delete", "delete"),
            ("importThing", "other", "importThing", "import_thing"),
            ("import", "other", "import", "import_"),
            ("delete", "other", "delete", "delete"),
            ("findPetsByStatus", "pet", "findByStatus", "find_by_status"),
            ("listCategories", "category", "list", "list"),
        ];
        for (op, resource, ts, py) in table {
            assert_eq!(method_name(TypeScript, op, resource), ts, "{op}");
            assert_eq!(method_name(Python, op, resource), py, "{op}");
        }
    }

    #[test]
    fn collisions_are_numbered_in_order() {
        let mut scope = Scope::with_reserved(&["constructor"]);
        assert_eq!(scope.claim("pet"), "pet");
        assert_eq!(scope.claim("pet"), "pet2");
        assert_eq!(scope.claim("pet"), "pet3");
        assert_eq!(scope.claim("constructor"), "constructor2");
        // `pet_id` and `petId` collide after casing.
        let mut scope = Scope::new();
        let a = scope.claim(&member_name(TypeScript, "pet_id", "p"));
        let b = scope.claim(&member_name(TypeScript, "petId", "p"));
        assert_eq!((a.as_str(), b.as_str()), ("petId", "petId2"));
    }

    #[test]
    fn ts_identifiers_and_properties() {
        assert!(is_ts_identifier("$ref_1"));
        assert!(!is_ts_identifier("1a"));
        assert!(!is_ts_identifier("a-b"));
        assert!(!is_ts_identifier("é"));
        assert!(!is_ts_identifier(""));
        assert_eq!(property_name(TypeScript, "first-name"), "first-name");
        assert_eq!(property_name(Python, "first-name"), "first_name");
        assert_eq!(property_name(Python, "class"), "class_");
        assert_eq!(npm_package_name("Acme Pets API"), "acme-pets-api");
        assert_eq!(npm_package_name("!!"), "api-client");
    }
}
