//! Integration tests for `leakfix pr` (DESIGN.md §3).
//!
//! The remote is a bare repository in a temporary directory and GitHub is a small HTTP
//! server on 127.0.0.1 inside the test, which answers the pull-request endpoints with
//! canned JSON and records every request. Nothing leaves the machine. Every socket has a
//! timeout, and the leakfix process one too, so a hang fails the test instead of blocking.

mod common;

use common::{assert_exit, golden_leak, GOLDEN_GO_MOD, SECOND_LEAK};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use tempfile::TempDir;

const SOCKET_TIMEOUT: Duration = Duration::from_secs(10);

const TOKEN: &str = "some-secret";
const BRANCH: &str = "leakfix/fixes";
const SLUG: &str = "acme/widgets";
const PR_URL: &str = "https://github.example/acme/widgets/pull/7";

/// Variables of the surrounding environment that would change what git, leakfix or its
/// HTTP client do: where the repository is, which GitHub to talk to, which proxy to use.
const INHERITED: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
    "GIT_CEILING_DIRECTORIES",
    "XDG_CONFIG_HOME",
    "GITHUB_TOKEN",
    "GITHUB_REPOSITORY",
    "GITHUB_API_URL",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Request {
    method: String,
    /// The path with its query string.
    target: String,
    /// Header names in lower case.
    headers: Vec<(String, String)>,
    body: String,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// What the fake GitHub knows: the requests so far, and whether the pull request is open.
#[derive(Default)]
struct State {
    requests: Vec<Request>,
    pr_open: bool,
    /// When set, POST answers 422 with this message.
    refuse_create: Option<String>,
}

struct FakeGitHub {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<Mutex<bool>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGitHub {
    fn start() -> FakeGitHub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(Mutex::new(false));
        let thread = {
            let (state, stop) = (state.clone(), stop.clone());
            std::thread::spawn(move || serve(listener, state, stop))
        };
        FakeGitHub {
            port,
            state,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The requests received so far, emptying the record.
    fn take_requests(&self) -> Vec<Request> {
        std::mem::take(&mut self.state.lock().unwrap().requests)
    }
}

impl Drop for FakeGitHub {
    /// Stops the accept loop: set the flag, then wake `accept` with a connection of our own.
    fn drop(&mut self) {
        *self.stop.lock().unwrap() = true;
        let _ = TcpStream::connect_timeout(&([127, 0, 0, 1], self.port).into(), SOCKET_TIMEOUT);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(listener: TcpListener, state: Arc<Mutex<State>>, stop: Arc<Mutex<bool>>) {
    for stream in listener.incoming() {
        if *stop.lock().unwrap() {
            return;
        }
        let Ok(stream) = stream else { continue };
        // A malformed or timed-out request is dropped; the test sees it as a missing one.
        let _ = handle(stream, &state);
    }
}

fn handle(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(SOCKET_TIMEOUT))?;
    stream.set_write_timeout(Some(SOCKET_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let Some(request) = read_request(&mut reader)? else {
        return Ok(());
    };
    let (status, body) = respond(&request, &mut state.lock().unwrap());
    state.lock().unwrap().requests.push(request);
    let body = body.to_string();
    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {status} Canned\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

fn read_request(reader: &mut impl BufRead) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let body = if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        read_chunked(reader)?
    } else {
        let length = header("content-length").map_or(0, |v| v.parse().unwrap_or(0));
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        body
    };
    Ok(Some(Request {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }))
}

fn read_chunked(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk)?;
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(&chunk[..size]);
    }
}

/// GitHub's answers, just as much of them as leakfix reads.
fn respond(request: &Request, state: &mut State) -> (u16, Value) {
    let pr = json!({ "number": 7, "state": "open", "html_url": PR_URL });
    let path = request.target.split('?').next().unwrap_or_default();
    match (request.method.as_str(), path) {
        ("GET", "/repos/acme/widgets/pulls") if state.pr_open => (200, json!([pr])),
        ("GET", "/repos/acme/widgets/pulls") => (200, json!([])),
        ("GET", "/repos/acme/widgets") => (200, json!({ "default_branch": "trunk" })),
        ("POST", "/repos/acme/widgets/pulls") => match &state.refuse_create {
            Some(message) => (
                422,
                json!({ "message": "Validation Failed", "errors": [{ "message": message }] }),
            ),
            None => {
                state.pr_open = true;
                (201, pr)
            }
        },
        ("PATCH", "/repos/acme/widgets/pulls/7") => (200, pr),
        _ => (404, json!({ "message": "Not Found" })),
    }
}

/// A working repository whose `origin` is a bare repository beside it.
struct Setup {
    work: TempDir,
    remote: TempDir,
    home: TempDir,
}

impl Setup {
    fn new() -> Setup {
        let setup = Setup {
            work: tempfile::tempdir().unwrap(),
            remote: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        setup.git_in(setup.remote.path(), &["init", "-q", "--bare", "-b", "main"]);
        setup.git(&["init", "-q", "-b", "main"]);
        setup.git(&["config", "user.name", "Test Author"]);
        setup.git(&["config", "user.email", "author@example.com"]);
        let remote = setup.remote.path().to_str().unwrap().to_string();
        setup.git(&["remote", "add", "origin", &remote]);
        setup.write("go.mod", GOLDEN_GO_MOD);
        setup.write("leak.go", &golden_leak());
        setup.commit_all("initial");
        setup.git(&["push", "-q", "origin", "main"]);
        setup
    }

    fn write(&self, path: &str, text: &str) {
        std::fs::write(self.work.path().join(path), text).unwrap();
    }

    fn isolate(&self, command: &mut std::process::Command) {
        for name in INHERITED {
            command.env_remove(name);
        }
        command
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1");
    }

    fn git(&self, args: &[&str]) -> String {
        self.git_in(self.work.path(), args)
    }

    fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let mut command = std::process::Command::new("git");
        self.isolate(&mut command);
        let output = command.current_dir(dir).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn rev(&self, name: &str) -> String {
        self.git(&["rev-parse", "--verify", name])
            .trim()
            .to_string()
    }

    fn remote_rev(&self, name: &str) -> String {
        self.git_in(self.remote.path(), &["rev-parse", "--verify", name])
            .trim()
            .to_string()
    }

    fn leakfix(&self, args: &[&str], token: Option<&str>) -> Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_leakfix"));
        self.isolate(&mut command);
        if let Some(token) = token {
            command.env("GITHUB_TOKEN", token);
        }
        command.current_dir(self.work.path()).args(args);
        common::output_with_timeout(command)
    }

    fn pr(&self, github: &FakeGitHub, extra: &[&str]) -> Output {
        let url = github.url();
        let mut args = vec!["pr", "--branch", BRANCH, "--repo", SLUG, "--api-url", &url];
        args.extend_from_slice(extra);
        self.leakfix(&args, Some(TOKEN))
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_no_token(output: &Output) {
    assert!(!text(&output.stdout).contains(TOKEN), "token on stdout");
    assert!(!text(&output.stderr).contains(TOKEN), "token on stderr");
}

fn assert_github_headers(request: &Request) {
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        request.header("accept"),
        Some("application/vnd.github+json")
    );
    assert_eq!(request.header("x-github-api-version"), Some("2022-11-28"));
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("leakfix/")),
        "{request:?}"
    );
}

fn methods_and_paths(requests: &[Request]) -> Vec<(String, String)> {
    requests
        .iter()
        .map(|r| (r.method.clone(), r.target.clone()))
        .collect()
}

/// The first line of the rule's documentation, which the PR body must carry.
fn rule_explanation() -> String {
    let doc = leakfix_transforms::rules::find("time-after-in-select")
        .unwrap()
        .documentation();
    doc.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap()
        .to_string()
}

#[test]
fn pr_pushes_the_branch_and_opens_then_updates_one_pull_request() {
    let setup = Setup::new();
    let github = FakeGitHub::start();

    let first = setup.pr(&github, &[]);

    assert_exit(&first, 0);
    assert_no_token(&first);
    assert_eq!(text(&first.stdout), format!("{PR_URL}\n"));
    let branch = setup.rev(BRANCH);
    assert_eq!(setup.remote_rev(BRANCH), branch);
    assert_eq!(setup.rev(&format!("{BRANCH}^")), setup.rev("HEAD"));
    let requests = github.take_requests();
    assert_eq!(
        methods_and_paths(&requests),
        [
            (
                "GET".to_string(),
                "/repos/acme/widgets/pulls?head=acme:leakfix/fixes&state=open".to_string()
            ),
            ("GET".to_string(), "/repos/acme/widgets".to_string()),
            ("POST".to_string(), "/repos/acme/widgets/pulls".to_string()),
        ]
    );
    requests.iter().for_each(assert_github_headers);
    let created = requests[2].json();
    assert_eq!(created["title"], "leakfix: fix 1 leak");
    assert_eq!(created["head"], BRANCH);
    assert_eq!(created["base"], "trunk", "the API's default branch");
    let body = created["body"].as_str().unwrap();
    assert!(
        body.contains("| File | Line | Rule | Applicability |"),
        "{body}"
    );
    assert!(
        body.contains("| `leak.go` | 11 | `time-after-in-select` | safe |"),
        "{body}"
    );
    assert!(body.contains("<details>"), "{body}");
    assert!(body.contains(&rule_explanation()), "{body}");

    // A new leak lands on main; the second run rebuilds the branch on the new HEAD,
    // force-pushes it and edits the same pull request.
    setup.write("other.go", SECOND_LEAK);
    setup.commit_all("another leak");
    let second = setup.pr(&github, &["--message", "Fix timer leaks"]);

    assert_exit(&second, 0);
    assert_no_token(&second);
    assert_eq!(text(&second.stdout), format!("{PR_URL}\n"));
    let branch = setup.rev(BRANCH);
    assert_eq!(setup.remote_rev(BRANCH), branch);
    assert_eq!(setup.rev(&format!("{BRANCH}^")), setup.rev("HEAD"));
    let requests = github.take_requests();
    assert_eq!(
        methods_and_paths(&requests),
        [
            (
                "GET".to_string(),
                "/repos/acme/widgets/pulls?head=acme:leakfix/fixes&state=open".to_string()
            ),
            (
                "PATCH".to_string(),
                "/repos/acme/widgets/pulls/7".to_string()
            ),
        ]
    );
    requests.iter().for_each(assert_github_headers);
    let updated = requests[1].json();
    assert_eq!(updated["title"], "Fix timer leaks");
    let body = updated["body"].as_str().unwrap();
    assert!(
        body.contains("| `other.go` | 10 | `time-after-in-select` | safe |"),
        "{body}"
    );
    assert!(
        updated.get("base").is_none(),
        "an update keeps the base it has"
    );
}

#[test]
fn base_given_on_the_command_line_needs_no_lookup() {
    let setup = Setup::new();
    let github = FakeGitHub::start();

    let output = setup.pr(&github, &["--base", "main"]);

    assert_exit(&output, 0);
    let requests = github.take_requests();
    assert_eq!(
        requests
            .iter()
            .map(|r| r.method.as_str())
            .collect::<Vec<_>>(),
        ["GET", "POST"]
    );
    assert_eq!(requests[1].json()["base"], "main");
}

#[test]
fn without_a_token_nothing_happens() {
    let setup = Setup::new();
    let github = FakeGitHub::start();
    let url = github.url();

    let output = setup.leakfix(
        &["pr", "--branch", BRANCH, "--repo", SLUG, "--api-url", &url],
        None,
    );

    assert_exit(&output, 2);
    assert!(text(&output.stderr).contains("GITHUB_TOKEN is not set"));
    assert!(github.take_requests().is_empty());
    let mut command = std::process::Command::new("git");
    setup.isolate(&mut command);
    let branch = command
        .current_dir(setup.work.path())
        .args(["rev-parse", "--verify", "--quiet", BRANCH])
        .output()
        .unwrap();
    assert!(!branch.status.success(), "no branch without a token");
}

#[test]
fn github_errors_are_reported_without_the_token() {
    let setup = Setup::new();
    let github = FakeGitHub::start();
    github.state.lock().unwrap().refuse_create =
        Some("No commits between trunk and leakfix/fixes".into());

    let output = setup.pr(&github, &[]);

    assert_exit(&output, 2);
    assert_no_token(&output);
    let err = text(&output.stderr);
    assert!(
        err.contains("GitHub API POST /repos/acme/widgets/pulls: 422")
            && err.contains("Validation Failed (No commits between trunk and leakfix/fixes)"),
        "{err}"
    );
}

/// A remote URL can carry credentials, and a failed push must not show them.
#[test]
fn push_failures_do_not_show_credentials() {
    let setup = Setup::new();
    let github = FakeGitHub::start();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let remote = format!("http://x-access-token:{TOKEN}@127.0.0.1:{port}/acme/widgets.git");
    setup.git(&["remote", "set-url", "origin", &remote]);
    let url = github.url();

    // No --repo: the repository is read from the remote's URL.
    let output = setup.leakfix(&["pr", "--branch", BRANCH, "--api-url", &url], Some(TOKEN));

    assert_exit(&output, 2);
    assert_no_token(&output);
    assert!(
        text(&output.stderr).contains("pushing leakfix/fixes to origin"),
        "{}",
        text(&output.stderr)
    );
    assert!(
        github.take_requests().is_empty(),
        "no API call after a failed push"
    );
}

#[test]
fn ssh_remotes_are_refused_with_a_way_out() {
    let setup = Setup::new();
    let github = FakeGitHub::start();
    setup.git(&[
        "remote",
        "set-url",
        "origin",
        "git@github.com:acme/widgets.git",
    ]);

    let output = setup.pr(&github, &[]);

    assert_exit(&output, 2);
    assert!(
        text(&output.stderr).contains("--remote https://HOST/OWNER/NAME.git"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn pr_verify_says_in_the_body_what_was_verified() {
    if std::process::Command::new("go")
        .arg("version")
        .output()
        .is_err()
    {
        eprintln!("note: go is not installed; the --verify body is not checked");
        return;
    }
    let setup = Setup::new();
    let github = FakeGitHub::start();
    let url = github.url();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_leakfix"));
    setup.isolate(&mut command);
    // The go command keeps the build cache it had before HOME moved.
    if let Ok(out) = std::process::Command::new("go")
        .args(["env", "GOCACHE"])
        .output()
    {
        command.env("GOCACHE", text(&out.stdout).trim());
    }
    command
        .env("GITHUB_TOKEN", TOKEN)
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env_remove("GOFLAGS")
        .current_dir(setup.work.path())
        .args(["pr", "--branch", BRANCH, "--repo", SLUG, "--api-url", &url])
        .arg("--verify=vet");
    let output = common::output_with_timeout(command);

    assert_exit(&output, 0);
    let requests = github.take_requests();
    let created = requests.last().unwrap().json();
    let body = created["body"].as_str().unwrap();
    assert!(body.contains("### Verified"), "{body}");
    assert!(
        body.contains("checked with `go build -o /dev/null .`, `go vet .` before the fixes"),
        "{body}"
    );
    assert!(
        body.contains("| `.` | build ok, vet ok | build ok, vet ok | 1 | 0 |"),
        "{body}"
    );
}
