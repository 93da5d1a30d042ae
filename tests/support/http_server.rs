//! A scripted HTTP/1.1 server on 127.0.0.1 for integration tests (the `ingest`
//! stage downloads specs from it). Std only; it must never be used outside tests.
//!
//! Each route answers with a [`Behaviour`]: a normal body, a slow drip, a hang,
//! a truncated body, any status, a redirect, a chunked stream, or a sequence of
//! these (for retries). Every request is recorded so tests can assert what
//! reached the server, e.g. that no `authorization` header followed a redirect
//! to another origin.
//!
//! One thread per connection, `Connection: close` on every response, no
//! keep-alive. Dropping the [`TestServer`] stops it: the accept loop ends, open
//! connections are shut down (which also releases `Hang` and `Slow`), and every
//! thread is joined, so a test never leaks a thread or a port.
//!
//! ```ignore
//! let server = TestServer::start(vec![
//!     ("/spec.json", Behaviour::json(r#"{"openapi":"3.1.0"}"#)),
//!     ("/flaky", Behaviour::Sequence(vec![Behaviour::status(503), Behaviour::json("{}")])),
//! ]);
//! let url = server.url("/spec.json");
//! // ... run the code under test against `url` ...
//! assert_eq!(server.hits("/flaky"), 2);
//! ```
#![allow(dead_code)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Requests whose header section is larger than this get a 431.
const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Size of each chunk that `Behaviour::Chunked` writes.
const CHUNK_SIZE: usize = 16 * 1024;

/// How a route answers.
#[derive(Clone, Debug)]
pub enum Behaviour {
    /// 200 with the whole body and its `Content-Length`.
    Ok {
        body: Vec<u8>,
        content_type: &'static str,
    },
    /// 200 with the full `Content-Length`, then `bytes_per_tick` bytes every `tick`.
    Slow {
        body: Vec<u8>,
        bytes_per_tick: usize,
        tick: Duration,
    },
    /// Reads the request and never answers, until the server is dropped.
    Hang,
    /// 200 with the `Content-Length` of the full body, but only the first `send`
    /// bytes, then the connection is closed.
    Truncated { body: Vec<u8>, send: usize },
    /// Any status with these headers and body. `Content-Length` is added unless
    /// `headers` already sets `Content-Length` or `Transfer-Encoding`.
    Status {
        code: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// The nth request to the route gets the nth behaviour; the last one repeats.
    Sequence(Vec<Behaviour>),
    /// A redirect (301, 302, 303, 307, 308) to `location`, with an empty body.
    Redirect { code: u16, location: String },
    /// 200 with `Transfer-Encoding: chunked` and no `Content-Length`.
    Chunked { body: Vec<u8> },
}

impl Behaviour {
    /// 200 with `application/json`.
    pub fn json(body: impl Into<Vec<u8>>) -> Behaviour {
        Behaviour::Ok {
            body: body.into(),
            content_type: "application/json",
        }
    }

    /// 200 with `application/yaml`.
    pub fn yaml(body: impl Into<Vec<u8>>) -> Behaviour {
        Behaviour::Ok {
            body: body.into(),
            content_type: "application/yaml",
        }
    }

    /// A bare status with an empty body.
    pub fn status(code: u16) -> Behaviour {
        Behaviour::Status {
            code,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The behaviour for the request that comes after `previous_hits` others on
    /// the same route.
    fn pick(&self, previous_hits: usize) -> &Behaviour {
        match self {
            Behaviour::Sequence(steps) if !steps.is_empty() => {
                steps[previous_hits.min(steps.len() - 1)].pick(previous_hits)
            }
            other => other,
        }
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// The path without the query string; this is what routes match on.
    pub path: String,
    /// The query string without the `?`, if there was one.
    pub query: Option<String>,
    /// Header names lowercased, values trimmed, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, read by `Content-Length` (chunked request bodies are not read).
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of a header, looked up case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_header(&self, name: &str) -> bool {
        self.header(name).is_some()
    }
}

/// A running server; drop it to stop it.
pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
}

/// State shared by the accept loop, the connection threads and the handle.
struct Shared {
    state: Mutex<State>,
    /// Signalled when `stopping` becomes true, to wake `Hang` and `Slow`.
    stopped: Condvar,
}

/// Answers every request in place of the routes (see [`TestServer::start_with_handler`]).
pub type Handler = Arc<dyn Fn(&RecordedRequest) -> Behaviour + Send + Sync>;

#[derive(Default)]
struct State {
    /// Shared, so a request can hold its behaviour without holding the lock.
    routes: HashMap<String, Arc<Behaviour>>,
    handler: Option<Handler>,
    stopping: bool,
    requests: Vec<RecordedRequest>,
    /// Clones of the open connections, so that drop can shut them down.
    open: HashMap<u64, TcpStream>,
    next_id: u64,
    workers: Vec<JoinHandle<()>>,
}

impl TestServer {
    /// Binds 127.0.0.1 on a free port and serves `routes` (exact path match;
    /// anything else gets a 404).
    pub fn start(routes: Vec<(&'static str, Behaviour)>) -> TestServer {
        TestServer::serve(State {
            routes: routes
                .into_iter()
                .map(|(path, behaviour)| (path.to_owned(), Arc::new(behaviour)))
                .collect(),
            ..State::default()
        })
    }

    /// Binds 127.0.0.1 on a free port and answers every request with
    /// `handler`, for stateful fakes (`fake_github`). The handler runs on the
    /// connection's thread, outside the server's lock.
    pub fn start_with_handler(handler: Handler) -> TestServer {
        TestServer::serve(State {
            handler: Some(handler),
            ..State::default()
        })
    }

    fn serve(state: State) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test server on 127.0.0.1");
        let addr = listener.local_addr().expect("test server address");
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            stopped: Condvar::new(),
        });
        let accept_shared = Arc::clone(&shared);
        let accept_thread = std::thread::Builder::new()
            .name(format!("test-http-{}", addr.port()))
            .spawn(move || accept_loop(&listener, &accept_shared))
            .expect("spawn the test server's accept thread");
        TestServer {
            addr,
            shared,
            accept_thread: Some(accept_thread),
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/path` (a missing leading `/` is added).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{path}", self.origin())
        } else {
            format!("{}/{path}", self.origin())
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many requests `path` has received (query strings ignored).
    pub fn hits(&self, path: &str) -> usize {
        self.shared
            .lock()
            .requests
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    /// Adds a route or replaces its behaviour, e.g. to serve a newer spec, or to
    /// point a redirect at a server started later. Hit counts (and so the
    /// position in a `Sequence`) carry on from the requests already received.
    pub fn set_route(&self, path: &str, behaviour: Behaviour) {
        self.shared
            .lock()
            .routes
            .insert(path.to_owned(), Arc::new(behaviour));
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        {
            let mut state = self.shared.lock();
            state.stopping = true;
            // Unblocks reads and writes in connection threads, e.g. a body
            // written to a client that stopped reading.
            for stream in state.open.values() {
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        self.shared.stopped.notify_all();
        // The accept loop is blocked in accept(); a connection wakes it up, and
        // it sees `stopping` and returns.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
        let workers = std::mem::take(&mut self.shared.lock().workers);
        for worker in workers {
            let _ = worker.join();
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking connection thread must not take the whole test down with it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sleeps for `duration` or until the server stops; true if it is stopping.
    fn sleep_unless_stopped(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        let mut state = self.lock();
        while !state.stopping {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            state = self
                .stopped
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        true
    }

    fn wait_until_stopped(&self) {
        let mut state = self.lock();
        while !state.stopping {
            state = self
                .stopped
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        // Registration and the `stopping` check happen under one lock, so drop
        // either sees this connection in `open` or the loop sees `stopping`.
        let mut state = shared.lock();
        if state.stopping {
            return;
        }
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        let id = state.next_id;
        state.next_id += 1;
        state.open.insert(id, clone);
        let worker_shared = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name(format!("test-http-conn-{id}"))
            .spawn(move || {
                serve_connection(stream, &worker_shared);
                worker_shared.lock().open.remove(&id);
            });
        match spawned {
            Ok(handle) => state.workers.push(handle),
            Err(_) => {
                state.open.remove(&id);
            }
        }
    }
}

fn serve_connection(stream: TcpStream, shared: &Shared) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut out = stream;
    let request = match read_request(&mut reader) {
        Ok(Some(request)) => request,
        Ok(None) => return, // closed before sending anything, e.g. drop's wake-up connection
        Err(status) => {
            let _ = write_head(&mut out, status, &[("Content-Length", "0".to_owned())]);
            return;
        }
    };
    // Counting, recording and looking up under one lock: concurrent requests
    // to a `Sequence` each get a distinct step.
    let (route, previous_hits, handler) = {
        let mut state = shared.lock();
        let previous_hits = state
            .requests
            .iter()
            .filter(|r| r.path == request.path)
            .count();
        let route = state.routes.get(&request.path).cloned();
        state.requests.push(request.clone());
        (route, previous_hits, state.handler.clone())
    };
    let not_found = Behaviour::status(404);
    let handled = handler.map(|handler| handler(&request));
    let behaviour = match &handled {
        Some(behaviour) => behaviour,
        None => route
            .as_deref()
            .map_or(&not_found, |b| b.pick(previous_hits)),
    };
    // Write errors only mean the client went away, which some tests do on purpose.
    let _ = respond(&mut out, behaviour, shared);
    let _ = out.flush();
    // FIN rather than RST: the client sees a clean end of stream.
    let _ = out.shutdown(Shutdown::Write);
}

/// Reads one request. `Ok(None)` if the peer closed without sending a request
/// line; `Err(status)` if the request is malformed or too large.
fn read_request(reader: &mut impl BufRead) -> Result<Option<RecordedRequest>, u16> {
    let mut head_bytes = 0;
    let mut line = String::new();
    let request_line = loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return Ok(None),
            Ok(n) => head_bytes += n,
        }
        // RFC 9112 allows empty lines before the request line.
        if !line.trim().is_empty() {
            break line.trim_end().to_owned();
        }
    };
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if !version.starts_with("HTTP/1.") || parts.next().is_some() {
        return Err(400);
    }
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_owned(), Some(query.to_owned())),
        None => (target.to_owned(), None),
    };

    let mut headers = Vec::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return Err(400),
            Ok(n) => head_bytes += n,
        }
        if head_bytes > MAX_HEADER_BYTES {
            return Err(431);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            return Err(400);
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }

    let mut request = RecordedRequest {
        method: method.to_owned(),
        path,
        query,
        headers,
        body: Vec::new(),
    };
    if let Some(length) = request.header("content-length") {
        let length: u64 = length.parse().map_err(|_| 400u16)?;
        reader
            .take(length)
            .read_to_end(&mut request.body)
            .map_err(|_| 400u16)?;
    }
    Ok(Some(request))
}

fn respond(out: &mut TcpStream, behaviour: &Behaviour, shared: &Shared) -> std::io::Result<()> {
    match behaviour {
        Behaviour::Ok { body, content_type } => {
            write_head(
                out,
                200,
                &[
                    ("Content-Type", (*content_type).to_owned()),
                    length(body.len()),
                ],
            )?;
            out.write_all(body)
        }
        Behaviour::Slow {
            body,
            bytes_per_tick,
            tick,
        } => {
            write_octet_stream_head(out, body.len())?;
            out.flush()?;
            for piece in body.chunks((*bytes_per_tick).max(1)) {
                if shared.sleep_unless_stopped(*tick) {
                    break;
                }
                out.write_all(piece)?;
                out.flush()?;
            }
            Ok(())
        }
        Behaviour::Hang => {
            shared.wait_until_stopped();
            Ok(())
        }
        Behaviour::Truncated { body, send } => {
            write_octet_stream_head(out, body.len())?;
            out.write_all(&body[..(*send).min(body.len())])
        }
        Behaviour::Status {
            code,
            headers,
            body,
        } => {
            let mut all: Vec<(&str, String)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.clone()))
                .collect();
            let framed = headers.iter().any(|(n, _)| {
                n.eq_ignore_ascii_case("content-length")
                    || n.eq_ignore_ascii_case("transfer-encoding")
            });
            if !framed {
                all.push(length(body.len()));
            }
            write_head(out, *code, &all)?;
            out.write_all(body)
        }
        Behaviour::Redirect { code, location } => {
            write_head(out, *code, &[("Location", location.clone()), length(0)])
        }
        Behaviour::Chunked { body } => {
            write_head(
                out,
                200,
                &[
                    ("Content-Type", "application/octet-stream".to_owned()),
                    ("Transfer-Encoding", "chunked".to_owned()),
                ],
            )?;
            for piece in body.chunks(CHUNK_SIZE) {
                write!(out, "{:x}\r\n", piece.len())?;
                out.write_all(piece)?;
                out.write_all(b"\r\n")?;
            }
            out.write_all(b"0\r\n\r\n")
        }
        // `pick` already resolved sequences; an empty one has nothing to say.
        Behaviour::Sequence(_) => respond(out, &Behaviour::status(500), shared),
    }
}

fn length(len: usize) -> (&'static str, String) {
    ("Content-Length", len.to_string())
}

/// The head of a 200 whose body is `len` bytes of octet stream.
fn write_octet_stream_head(out: &mut TcpStream, len: usize) -> std::io::Result<()> {
    write_head(
        out,
        200,
        &[
            ("Content-Type", "application/octet-stream".to_owned()),
            length(len),
        ],
    )
}

fn write_head(out: &mut impl Write, code: u16, headers: &[(&str, String)]) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {code} {}\r\nConnection: close\r\n", reason(code));
    for (name, value) in headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    head.push_str("\r\n");
    out.write_all(head.as_bytes())
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}
