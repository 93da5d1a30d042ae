//! Real package registries on 127.0.0.1 for the publish tests: Verdaccio
//! (npm) and pypiserver (PyPI), as installed by
//! `scripts/install-registries.sh`.
//!
//! Each starts from a generated configuration in its own temporary folder
//! (storage, htpasswd, log), on a free port, with uploads behind a password
//! and no way to the internet: Verdaccio has no uplinks, pypiserver runs with
//! `--disable-fallback`. Start-up is awaited with a deadline; dropping the
//! handle kills the server's whole process group. A server can be stopped
//! and started again on the same port and storage, for "registry down" tests.

use super::clients::registry_tool;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Verdaccio loads in a few seconds on an idle machine; the test machine is shared.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process in its own process group, its output going to `log`.
struct Server {
    what: &'static str,
    command: Command,
    log: PathBuf,
    child: Option<Child>,
}

impl Server {
    fn new(what: &'static str, mut command: Command, log: PathBuf) -> Server {
        command.stdin(Stdio::null()).process_group(0);
        Server {
            what,
            command,
            log,
            child: None,
        }
    }

    /// Starts the process and waits until `ready_url` answers `200`.
    fn start(&mut self, ready_url: &str) {
        assert!(self.child.is_none(), "{} is already running", self.what);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        self.command.stdout(log.try_clone().unwrap()).stderr(log);
        let child = self
            .command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.what));
        self.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok((200, _)) = http("GET", ready_url, &[], None) {
                return;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                self.child = None;
                panic!(
                    "{} exited during start-up ({status}):\n{}",
                    self.what,
                    self.log_text()
                );
            }
            if Instant::now() >= deadline {
                self.stop();
                panic!(
                    "{} did not answer {ready_url} within {}s:\n{}",
                    self.what,
                    START_TIMEOUT.as_secs(),
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Kills the process group and reaps the process.
    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // The child is not reaped yet, so its pid (the group id) is still ours.
            // SAFETY: plain FFI call on our own child's process group.
            unsafe { libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL) };
            let _ = child.wait();
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Verdaccio with htpasswd auth: anyone may read, only logged-in users publish.
pub struct Verdaccio {
    server: Server,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Verdaccio {
    pub fn start() -> Verdaccio {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let config = dir.path().join("config.yaml");
        std::fs::write(&config, verdaccio_config(dir.path())).unwrap();
        let mut command = Command::new(registry_tool("NODE22", "npm/node_modules/.bin/node"));
        command
            .arg(registry_tool(
                "VERDACCIO",
                "npm/node_modules/verdaccio/bin/verdaccio",
            ))
            .arg("--config")
            .arg(&config)
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .env("HOME", dir.path())
            .env_remove("NODE_OPTIONS");
        let mut server = Server::new("Verdaccio", command, dir.path().join("verdaccio.log"));
        server.start(&format!("http://127.0.0.1:{port}/-/ping"));
        Verdaccio {
            server,
            port,
            _dir: dir,
        }
    }

    /// `http://127.0.0.1:PORT/` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    /// The registry URL as npm is given it.
    pub fn registry(&self) -> String {
        self.url("")
    }

    /// Creates a user with npm's adduser request and returns its auth token.
    pub fn add_user(&self, name: &str, password: &str) -> String {
        let body = serde_json::json!({
            "_id": format!("org.couchdb.user:{name}"),
            "name": name,
            "password": password,
            "type": "user",
            "roles": [],
        });
        let (status, reply) = http(
            "PUT",
            &self.url(&format!("-/user/org.couchdb.user:{name}")),
            &[("content-type", "application/json")],
            Some(body.to_string().into_bytes()),
        )
        .unwrap();
        assert_eq!(status, 201, "adduser: {}", String::from_utf8_lossy(&reply));
        let reply: serde_json::Value = serde_json::from_slice(&reply).unwrap();
        reply["token"]
            .as_str()
            .expect("adduser answers with a token")
            .to_owned()
    }

    /// Stops the server; [`Verdaccio::restart`] brings it back with its storage.
    pub fn stop(&mut self) {
        self.server.stop();
    }

    pub fn restart(&mut self) {
        let ready = self.url("-/ping");
        self.server.start(&ready);
    }
}

fn verdaccio_config(dir: &Path) -> String {
    let access = "    access: $all\n    publish: $authenticated\n    unpublish: $authenticated\n";
    format!(
        "storage: {storage}\n\
         auth:\n  htpasswd:\n    file: {htpasswd}\n    max_users: 100\n\
         # No uplinks: the registry never reaches the internet.\n\
         uplinks: {{}}\n\
         packages:\n  '@*/*':\n{access}  '**':\n{access}\
         max_body_size: 100mb\n\
         publish:\n  allow_offline: true\n\
         web:\n  enable: false\n\
         log: {{ type: stdout, format: json, level: warn }}\n",
        storage = dir.join("storage").display(),
        htpasswd = dir.join("htpasswd").display(),
    )
}

/// pypiserver with uploads behind htpasswd, and no fallback to pypi.org.
pub struct PypiServer {
    server: Server,
    port: u16,
    dir: tempfile::TempDir,
}

impl PypiServer {
    /// Starts with one uploader, `user` with `password`.
    pub fn start(user: &str, password: &str) -> PypiServer {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let packages = dir.path().join("packages");
        std::fs::create_dir(&packages).unwrap();
        let htpasswd = dir.path().join("htpasswd");
        std::fs::write(&htpasswd, htpasswd_line(user, password)).unwrap();
        let mut command = Command::new(registry_tool("PYPISERVER", "pypi/bin/pypi-server"));
        command
            .args(["run", "--host", "127.0.0.1", "--port"])
            .arg(port.to_string())
            .arg("--passwords")
            .arg(&htpasswd)
            .args(["--authenticate", "update", "--disable-fallback"])
            .arg(&packages);
        let mut server = Server::new("pypiserver", command, dir.path().join("pypiserver.log"));
        server.start(&format!("http://127.0.0.1:{port}/simple/"));
        PypiServer { server, port, dir }
    }

    /// `http://127.0.0.1:PORT/` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    /// The index pip reads: `http://127.0.0.1:PORT/simple/`.
    pub fn index_url(&self) -> String {
        self.url("simple/")
    }

    /// The files the server stores, by name.
    pub fn stored(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path().join("packages"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    pub fn stop(&mut self) {
        self.server.stop();
    }

    pub fn restart(&mut self) {
        let ready = self.index_url();
        self.server.start(&ready);
    }
}

/// An Apache htpasswd line with a `{SHA}` hash, which passlib (pypiserver)
/// and Verdaccio both read.
fn htpasswd_line(user: &str, password: &str) -> String {
    use base64::Engine as _;
    use sha1::Digest as _;
    let digest = sha1::Sha1::digest(password.as_bytes());
    format!(
        "{user}:{{SHA}}{}\n",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// A minimal HTTP/1.1 exchange for start-up checks and account set-up:
/// `Connection: close`, the whole answer read, chunked bodies decoded.
pub fn http(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> std::io::Result<(u16, Vec<u8>)> {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let body = body.unwrap_or_default();
    let mut request = format!(
        "{method} /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(&body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let mut payload = raw[split + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        payload = dechunk(&payload);
    }
    Ok((status, payload))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size =
            usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}
