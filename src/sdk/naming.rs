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
//! - **Reserved words.** A Python member that is a keyword, a soft keyword,
//!   a builtin constant, or a name the generated code needs in the same
//!   scope (`str`, `int`, ... in annotations; the `models` module) gets a
//!   trailing `_`. TypeScript members are only
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
//! - **Per-scope reservations** ([`reserved_properties`],
//!   [`reserved_arguments`], [`reserved_client_members`],
//!   [`reserved_resource_members`]): names the
//!   generated classes use themselves (Python models have `from_dict`,
//!   `to_dict` and `additional_properties`; every Python method takes
//!   `options`; clients have `close`).
//! - **Python packages** ([`python_distribution_name`],
//!   [`python_import_name`], [`crate::pep440::from_any`]): the distribution name is
//!   PEP 503-normalised, the import name is a valid identifier that shadows
//!   neither the standard library nor the SDK's own dependencies, and the
//!   version is the spec's version in PEP 440 spelling.

use std::collections::HashSet;

/// A target language of the SDK generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Language {
    TypeScript,
    Python,
}

/// Splits a name into words (see the module docs).
pub fn words(raw: &str) -> Vec<String> {
    let (words, shouting) = word_slices(raw);
    words
        .map(|w| match shouting {
            true => w.to_ascii_lowercase(),
            false => w.to_owned(),
        })
        .collect()
}

/// Whether `raw` has any word at all (an ASCII letter or digit).
pub fn has_words(raw: &str) -> bool {
    raw.bytes().any(|b| b.is_ascii_alphanumeric())
}

/// The words of `raw` as slices of it, and whether `raw` is shouted (no
/// lower-case letter), when every word is to be lowered. Characters other
/// than ASCII letters and digits separate words, so every word is ASCII.
/// Naming runs for every type, member and enum value of a large spec:
/// slices rather than a `String` per word and character.
fn word_slices(raw: &str) -> (impl Iterator<Item = &str>, bool) {
    let shouting = !raw.bytes().any(|b| b.is_ascii_lowercase());
    let words = raw
        .split(|c: char| !c.is_ascii_alphanumeric())
        .flat_map(chunk_words);
    (words, shouting)
}

/// The words of one run of ASCII letters and digits: a new word starts at
/// an upper-case letter after a lower-case letter or digit, and at the last
/// capital of an acronym followed by a lower-case letter (`HTTPServer`).
fn chunk_words(chunk: &str) -> impl Iterator<Item = &str> {
    let bytes = chunk.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= bytes.len() {
            return None;
        }
        for i in start + 1..bytes.len() {
            let (prev, c) = (bytes[i - 1], bytes[i]);
            let next_lower = bytes.get(i + 1).is_some_and(u8::is_ascii_lowercase);
            let boundary = c.is_ascii_uppercase()
                && (prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next_lower));
            if boundary {
                let word = &chunk[start..i];
                start = i;
                return Some(word);
            }
        }
        let word = &chunk[start..];
        start = bytes.len();
        Some(word)
    })
}

/// Appends `word` (ASCII) with its first letter upper-cased, the rest
/// lowered when `lower_rest`.
fn push_capitalised(out: &mut String, word: &str, lower_rest: bool) {
    let mut bytes = word.bytes();
    if let Some(first) = bytes.next() {
        out.push(first.to_ascii_uppercase() as char);
    }
    for b in bytes {
        out.push(if lower_rest {
            b.to_ascii_lowercase()
        } else {
            b
        } as char);
    }
}

/// `PascalCase` of the words of `raw` (no validity checks).
pub fn pascal(raw: &str) -> String {
    let (words, shouting) = word_slices(raw);
    let mut out = String::with_capacity(raw.len());
    for w in words {
        push_capitalised(&mut out, w, shouting);
    }
    out
}

/// `camelCase` of the words of `raw` (no validity checks).
pub fn camel(raw: &str) -> String {
    let (words, shouting) = word_slices(raw);
    let mut out = String::with_capacity(raw.len());
    for (i, w) in words.enumerate() {
        if i == 0 {
            // A leading acronym is lowered as a whole: `HTTPServer` -> `httpServer`.
            out.push_str(&w.to_ascii_lowercase());
        } else {
            push_capitalised(&mut out, w, shouting);
        }
    }
    out
}

/// `snake_case` of the words of `raw` (no validity checks).
pub fn snake(raw: &str) -> String {
    let (words, _) = word_slices(raw);
    let mut out = String::with_capacity(raw.len() + 8);
    for (i, w) in words.enumerate() {
        if i > 0 {
            out.push('_');
        }
        out.push_str(&w.to_ascii_lowercase());
    }
    out
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

/// Every name in Python's `builtins` module (3.11; public names). A type
/// named like one of the capitalised ones (`Exception`, `TimeoutError`)
/// would shadow it in the package, so those type names get `Model`; the
/// generated models refer to the others through `_builtins` where a field
/// of that name could shadow them (see `templates/python/package/models.py.j2`).
pub const PYTHON_BUILTINS: &[&str] = &[
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BaseException",
    "BaseExceptionGroup",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "BytesWarning",
    "ChildProcessError",
    "ConnectionAbortedError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "DeprecationWarning",
    "EOFError",
    "Ellipsis",
    "EncodingWarning",
    "EnvironmentError",
    "Exception",
    "ExceptionGroup",
    "False",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "FutureWarning",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "ImportWarning",
    "IndentationError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "None",
    "NotADirectoryError",
    "NotImplemented",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PendingDeprecationWarning",
    "PermissionError",
    "ProcessLookupError",
    "RecursionError",
    "ReferenceError",
    "ResourceWarning",
    "RuntimeError",
    "RuntimeWarning",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SyntaxWarning",
    "SystemError",
    "SystemExit",
    "TabError",
    "TimeoutError",
    "True",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "UnicodeTranslateError",
    "UnicodeWarning",
    "UserWarning",
    "ValueError",
    "Warning",
    "ZeroDivisionError",
    "abs",
    "aiter",
    "all",
    "anext",
    "any",
    "ascii",
    "bin",
    "bool",
    "breakpoint",
    "bytearray",
    "bytes",
    "callable",
    "chr",
    "classmethod",
    "compile",
    "complex",
    "copyright",
    "credits",
    "delattr",
    "dict",
    "dir",
    "divmod",
    "enumerate",
    "eval",
    "exec",
    "exit",
    "filter",
    "float",
    "format",
    "frozenset",
    "getattr",
    "globals",
    "hasattr",
    "hash",
    "help",
    "hex",
    "id",
    "input",
    "int",
    "isinstance",
    "issubclass",
    "iter",
    "len",
    "license",
    "list",
    "locals",
    "map",
    "max",
    "memoryview",
    "min",
    "next",
    "object",
    "oct",
    "open",
    "ord",
    "pow",
    "print",
    "property",
    "quit",
    "range",
    "repr",
    "reversed",
    "round",
    "set",
    "setattr",
    "slice",
    "sorted",
    "staticmethod",
    "str",
    "sum",
    "super",
    "tuple",
    "type",
    "vars",
    "zip",
];

/// The TypeScript and ECMAScript globals (and the web globals the
/// generated runtime uses): a type of that name would shadow the global in
/// the generated modules, so it gets the suffix `Model`.
pub const TYPESCRIPT_GLOBALS: &[&str] = &[
    "AbortController",
    "AbortSignal",
    "Array",
    "ArrayBuffer",
    "ArrayLike",
    "AsyncIterable",
    "AsyncIterator",
    "Atomics",
    "Awaited",
    "BigInt",
    "BigInt64Array",
    "BigUint64Array",
    "Blob",
    "Boolean",
    "Capitalize",
    "DataView",
    "Date",
    "Error",
    "EvalError",
    "Exclude",
    "Extract",
    "File",
    "FinalizationRegistry",
    "Float32Array",
    "Float64Array",
    "FormData",
    "Function",
    "Headers",
    "Infinity",
    "InstanceType",
    "Int16Array",
    "Int32Array",
    "Int8Array",
    "Intl",
    "Iterable",
    "IterableIterator",
    "Iterator",
    "JSON",
    "Lowercase",
    "Map",
    "Math",
    "NaN",
    "NonNullable",
    "Number",
    "Object",
    "Omit",
    "Parameters",
    "Partial",
    "Pick",
    "Promise",
    "PromiseLike",
    "PropertyKey",
    "Proxy",
    "RangeError",
    "ReadableStream",
    "Readonly",
    "ReadonlyArray",
    "ReadonlyMap",
    "ReadonlySet",
    "Record",
    "ReferenceError",
    "Reflect",
    "RegExp",
    "Request",
    "RequestInit",
    "Required",
    "Response",
    "ReturnType",
    "Set",
    "SharedArrayBuffer",
    "String",
    "Symbol",
    "SyntaxError",
    "TemplateStringsArray",
    "TextDecoder",
    "TextEncoder",
    "ThisType",
    "TypeError",
    "URIError",
    "URL",
    "URLSearchParams",
    "Uint16Array",
    "Uint32Array",
    "Uint8Array",
    "Uint8ClampedArray",
    "Uncapitalize",
    "Uppercase",
    "WeakMap",
    "WeakRef",
    "WeakSet",
    "clearTimeout",
    "console",
    "fetch",
    "globalThis",
    "setTimeout",
    "undefined",
];

/// Python keywords, soft keywords and builtin constants.
const PY_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "case", "class",
    "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
    "import", "in", "is", "lambda", "match", "nonlocal", "not", "or", "pass", "raise", "return",
    "self", "try", "type", "while", "with", "yield", "_",
];

/// Python builtins and typing names a generated module uses, and the names
/// the generated package exports itself.
const PY_RESERVED_TYPES: &[&str] = &[
    "Any",
    "ApiError",
    "AsyncClient",
    "Auth",
    "BasicCredentials",
    "Bytes",
    "Callable",
    "ClassVar",
    "Client",
    "ClientOptions",
    "Credential",
    "DecodeError",
    "Dict",
    "Enum",
    "Exception",
    "List",
    "Literal",
    "Mapping",
    "Optional",
    "RequestOptions",
    "Self",
    "ServerVariables",
    "Tuple",
    "Type",
    "Union",
    "Unset",
];

/// Names a Python member may not take because generated code refers to
/// them in the scope the member lives in: a class attribute or method named
/// `str` would shadow the builtin in the annotations of its class, and a
/// parameter named `models` the module its method casts to.
const PY_SHADOWING_MEMBERS: &[&str] = &[
    "bool", "builtins", "bytes", "float", "httpx", "int", "models", "str",
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
        Language::TypeScript => {
            TS_RESERVED_TYPES.contains(&name.as_str())
                || TYPESCRIPT_GLOBALS.contains(&name.as_str())
        }
        Language::Python => {
            PY_RESERVED_TYPES.contains(&name.as_str())
                || PY_KEYWORDS.contains(&name.as_str())
                || PYTHON_BUILTINS.contains(&name.as_str())
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
    if lang == Language::Python
        && (is_keyword(lang, &name) || PY_SHADOWING_MEMBERS.contains(&name.as_str()))
    {
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

/// Property names a model class of `lang` keeps for itself.
pub fn reserved_properties(lang: Language) -> &'static [&'static str] {
    match lang {
        Language::TypeScript => &[],
        Language::Python => &["additional_properties", "from_dict", "to_dict"],
    }
}

/// Argument names an operation method of `lang` keeps for itself.
pub fn reserved_arguments(lang: Language) -> &'static [&'static str] {
    match lang {
        Language::TypeScript => &[],
        Language::Python => &["options"],
    }
}

/// Member names of a client (where resources live) that `lang` keeps for
/// itself.
pub fn reserved_client_members(lang: Language) -> &'static [&'static str] {
    match lang {
        Language::TypeScript => &["constructor", "prototype", "__proto__"],
        Language::Python => &["close"],
    }
}

/// Member names of a resource (where operations live) that `lang` keeps
/// for itself.
pub fn reserved_resource_members(lang: Language) -> &'static [&'static str] {
    match lang {
        Language::TypeScript => &["constructor", "prototype", "__proto__"],
        Language::Python => &[],
    }
}

/// A PyPI distribution name for a name a user gave (PEP 508: ASCII letters,
/// digits and `-_.`, starting and ending with a letter or digit), PEP
/// 503-normalised: lower case, every run of `-_.` one `-`. `None` when the
/// name is not valid.
pub fn python_distribution_name(raw: &str) -> Option<String> {
    let valid = !raw.is_empty()
        && raw.len() <= 200
        && raw.starts_with(|c: char| c.is_ascii_alphanumeric())
        && raw.ends_with(|c: char| c.is_ascii_alphanumeric())
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !valid {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    Some(out)
}

/// The default distribution name, from the API title: `Acme Pets API` ->
/// `acme-pets-api` (the npm rule, which is already PEP 503-normal).
pub fn python_default_distribution_name(title: &str) -> String {
    npm_package_name(title)
}

/// Top-level modules an SDK's import name must not shadow: the standard
/// library (3.9 to 3.13, plus `test`) and the SDK's runtime dependency
/// `httpx` with its own dependencies; and `build` and `dist`, which are build
/// output next to the package.
const PY_TAKEN_MODULES: &[&str] = &[
    "abc",
    "build",
    "dist",
    "aifc",
    "anyio",
    "antigravity",
    "argparse",
    "array",
    "ast",
    "asynchat",
    "asyncio",
    "asyncore",
    "atexit",
    "audioop",
    "base64",
    "bdb",
    "binascii",
    "binhex",
    "bisect",
    "builtins",
    "bz2",
    "cProfile",
    "calendar",
    "certifi",
    "cgi",
    "cgitb",
    "chunk",
    "cmath",
    "cmd",
    "code",
    "codecs",
    "codeop",
    "collections",
    "colorsys",
    "compileall",
    "concurrent",
    "configparser",
    "contextlib",
    "contextvars",
    "copy",
    "copyreg",
    "crypt",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "doctest",
    "email",
    "encodings",
    "ensurepip",
    "enum",
    "errno",
    "exceptiongroup",
    "faulthandler",
    "fcntl",
    "filecmp",
    "fileinput",
    "fnmatch",
    "formatter",
    "fractions",
    "ftplib",
    "functools",
    "gc",
    "genericpath",
    "getopt",
    "getpass",
    "gettext",
    "glob",
    "graphlib",
    "grp",
    "gzip",
    "h11",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "httpcore",
    "httpx",
    "idlelib",
    "idna",
    "imaplib",
    "imghdr",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "keyword",
    "lib2to3",
    "linecache",
    "locale",
    "logging",
    "lzma",
    "mailbox",
    "mailcap",
    "marshal",
    "math",
    "mimetypes",
    "mmap",
    "modulefinder",
    "msilib",
    "msvcrt",
    "multiprocessing",
    "netrc",
    "nis",
    "nntplib",
    "nt",
    "ntpath",
    "nturl2path",
    "numbers",
    "opcode",
    "operator",
    "optparse",
    "os",
    "ossaudiodev",
    "parser",
    "pathlib",
    "pdb",
    "pickle",
    "pickletools",
    "pipes",
    "pkgutil",
    "platform",
    "plistlib",
    "poplib",
    "posix",
    "posixpath",
    "pprint",
    "profile",
    "pstats",
    "pty",
    "pwd",
    "py_compile",
    "pyclbr",
    "pydoc",
    "pydoc_data",
    "pyexpat",
    "queue",
    "quopri",
    "random",
    "re",
    "readline",
    "reprlib",
    "resource",
    "rlcompleter",
    "runpy",
    "sched",
    "secrets",
    "select",
    "selectors",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "site",
    "smtpd",
    "smtplib",
    "sndhdr",
    "sniffio",
    "socket",
    "socketserver",
    "spwd",
    "sqlite3",
    "sre_compile",
    "sre_constants",
    "sre_parse",
    "ssl",
    "stat",
    "statistics",
    "string",
    "stringprep",
    "struct",
    "subprocess",
    "sunau",
    "symbol",
    "symtable",
    "sys",
    "sysconfig",
    "syslog",
    "tabnanny",
    "tarfile",
    "telnetlib",
    "tempfile",
    "termios",
    "test",
    "textwrap",
    "this",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "token",
    "tokenize",
    "tomllib",
    "trace",
    "traceback",
    "tracemalloc",
    "tty",
    "turtle",
    "turtledemo",
    "types",
    "typing",
    "typing_extensions",
    "unicodedata",
    "unittest",
    "urllib",
    "uu",
    "uuid",
    "venv",
    "warnings",
    "wave",
    "weakref",
    "webbrowser",
    "winreg",
    "winsound",
    "wsgiref",
    "xdrlib",
    "xml",
    "xmlrpc",
    "zipapp",
    "zipfile",
    "zipimport",
    "zlib",
    "zoneinfo",
];

/// The import name of a distribution: `acme-pets-api` -> `acme_pets_api`.
/// A name that starts with a digit gets the prefix `api_`; a keyword gets a
/// trailing `_`; a name that would shadow a standard-library module or a
/// dependency (`json`, `test`, `httpx`) gets the suffix `_client`.
pub fn python_import_name(distribution: &str) -> String {
    let mut name: String = distribution
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        name = "api_client".into();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "api_");
    }
    if is_keyword(Language::Python, &name) {
        name.push('_');
    }
    if PY_TAKEN_MODULES.contains(&name.as_str()) {
        name.push_str("_client");
    }
    name
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
            assert_eq!(has_words(raw), !expected.is_empty(), "{raw}");
        }
    }

    /// The casing functions once built a `Vec<String>` of words and a
    /// `String` per word; they now work on slices. Same results.
    #[test]
    fn casing_matches_the_word_list() {
        let upper_first = |w: &str| w[..1].to_ascii_uppercase() + &w[1..];
        for raw in [
            "petId",
            "HTTPError",
            "PET_STORE",
            "pet2Owner",
            "2fa",
            "café au lait",
            "",
            "$$$",
            "getHTTPResponseCode",
            "ABCdef",
            "a",
            "A",
            "_x_",
            "X-Rate-Limit",
            "ids[]",
            "über-Größe",
            "v1.2.3",
            "IPv6Address",
            "already_snake_case",
        ] {
            let ws = words(raw);
            let pascal_ref: String = ws.iter().map(|w| upper_first(w)).collect();
            let camel_ref: String = ws
                .iter()
                .enumerate()
                .map(|(i, w)| match i {
                    0 => w.to_ascii_lowercase(),
                    _ => upper_first(w),
                })
                .collect();
            let snake_ref = ws
                .iter()
                .map(|w| w.to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join("_");
            assert_eq!(pascal(raw), pascal_ref, "{raw}");
            assert_eq!(camel(raw), camel_ref, "{raw}");
            assert_eq!(snake(raw), snake_ref, "{raw}");
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

    #[test]
    fn python_members_do_not_shadow_what_generated_code_uses() {
        for (raw, expected) in [
            ("str", "str_"),
            ("int", "int_"),
            ("models", "models_"),
            ("Float", "float_"),
            ("strings", "strings"),
            ("match", "match_"),
            ("self", "self_"),
        ] {
            assert_eq!(member_name(Python, raw, "value"), expected, "{raw}");
        }
        assert_eq!(member_name(TypeScript, "str", "value"), "str");
        for reserved in ["Auth", "Unset", "Mapping", "DecodeError", "AsyncClient"] {
            assert_eq!(type_name(Python, reserved), format!("{reserved}Model"));
            assert_eq!(type_name(TypeScript, reserved), reserved);
        }
        assert!(reserved_properties(TypeScript).is_empty());
        assert!(reserved_properties(Python).contains(&"to_dict"));
    }

    #[test]
    fn python_package_names() {
        let table = [
            ("Acme_Pets..API", Some("acme-pets-api")),
            ("acme-pets", Some("acme-pets")),
            ("A", Some("a")),
            ("x.y_z", Some("x-y-z")),
            ("-lead", None),
            ("trail-", None),
            ("sp ace", None),
            ("é", None),
            ("", None),
        ];
        for (raw, expected) in table {
            assert_eq!(python_distribution_name(raw).as_deref(), expected, "{raw}");
        }
        assert_eq!(
            python_default_distribution_name("Acme Pets API"),
            "acme-pets-api"
        );
        let imports = [
            ("acme-pets-api", "acme_pets_api"),
            ("2fa", "api_2fa"),
            ("json", "json_client"),
            ("test", "test_client"),
            ("httpx", "httpx_client"),
            ("build", "build_client"),
            ("class", "class_"),
            ("json-api", "json_api"),
        ];
        for (dist, expected) in imports {
            assert_eq!(python_import_name(dist), expected, "{dist}");
        }
    }

    #[test]
    fn no_type_name_is_a_builtin_or_a_global() {
        for name in PYTHON_BUILTINS.iter().chain(TYPESCRIPT_GLOBALS) {
            let py = type_name(Python, name);
            assert!(!PYTHON_BUILTINS.contains(&py.as_str()), "{name} -> {py}");
            let ts = type_name(TypeScript, name);
            assert!(!TYPESCRIPT_GLOBALS.contains(&ts.as_str()), "{name} -> {ts}");
        }
        assert_eq!(type_name(Python, "TimeoutError"), "TimeoutErrorModel");
        assert_eq!(type_name(TypeScript, "Map"), "MapModel");
    }

    #[test]
    fn python_members_never_shadow_what_annotations_use() {
        for name in PYTHON_BUILTINS.iter().chain(TYPESCRIPT_GLOBALS) {
            let member = member_name(Python, name, "value");
            assert!(
                !PY_SHADOWING_MEMBERS.contains(&member.as_str()),
                "{name} -> {member}"
            );
            assert!(
                !PY_KEYWORDS.contains(&member.as_str()),
                "{name} -> {member}"
            );
        }
        assert_eq!(member_name(Python, "str", "value"), "str_");
        assert_eq!(member_name(Python, "dict", "value"), "dict");
    }
}
