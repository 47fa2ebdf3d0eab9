//! `leakfix pr`: commit the fixes on a branch (as `fix --branch`), push it, and open or
//! update its GitHub pull request.
//!
//! Everything is keyed by the branch name, so running it again — on every push to the
//! default branch, say — recomputes the one fix commit on top of HEAD, force-pushes it and
//! edits the pull request that is already open for that branch instead of opening another.
//!
//! The token comes from `GITHUB_TOKEN`. It goes to the remote only through libgit2's
//! credentials callback and to the API only in the `Authorization` header; every error
//! message leaving this module is scrubbed of it and of credentials embedded in URLs.

use crate::cli::PrArgs;
use crate::git::{self, BranchOutcome};
use git2::{Cred, CredentialType, PushOptions, RemoteCallbacks, Repository};
use leakfix_transforms::rules;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::Duration;

const DEFAULT_API_URL: &str = "https://api.github.com";

/// The user name GitHub expects with an installation or Actions token over HTTPS.
const TOKEN_USER: &str = "x-access-token";

/// GitHub refuses bodies over 65,536 characters; past this many table rows the rest are
/// counted instead of listed (the commit message still lists them all).
const MAX_TABLE_ROWS: usize = 300;

/// Generous bounds for one API call: a CI job should fail, not hang.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum PrError {
    #[error(
        "GITHUB_TOKEN is not set; leakfix pr needs a token that may push and open pull requests"
    )]
    NoToken,
    #[error("no remote named {0:?} (pass a configured remote's name or a URL)")]
    NoRemote(String),
    #[error("remote {0:?} is an SSH remote; leakfix pushes over HTTPS with GITHUB_TOKEN: pass --remote https://HOST/OWNER/NAME.git")]
    SshRemote(String),
    #[error("cannot tell the GitHub repository from the remote's URL; pass --repo OWNER/NAME or set GITHUB_REPOSITORY")]
    UnknownRepository,
    #[error("{0:?} is not OWNER/NAME")]
    BadRepository(String),
    #[error("pushing {branch} to {remote}: {message}")]
    Push {
        branch: String,
        remote: String,
        message: String,
    },
    #[error("GitHub API {method} {path}: {message}")]
    Api {
        method: &'static str,
        path: String,
        message: String,
    },
    #[error("{0}")]
    Git(#[from] git2::Error),
}

/// `leakfix pr`. The error, if any, is returned already scrubbed of the token.
pub fn run(args: &PrArgs) -> anyhow::Result<u8> {
    let token = std::env::var("GITHUB_TOKEN").unwrap_or_default();
    if token.is_empty() {
        return Err(PrError::NoToken.into());
    }
    publish(args, &token).map_err(|err| anyhow::anyhow!(redact(&format!("{err:#}"), &token)))
}

fn publish(args: &PrArgs, token: &str) -> anyhow::Result<u8> {
    let repo = git::open_repository()?;
    // Everything that can be checked without side effects is checked before the branch is
    // written, so a misconfigured job fails without leaving a half-done state behind.
    let remote_url = push_url(&repo, &args.remote)?;
    let slug = repository_slug(args.repo.as_deref(), &remote_url)?;
    let api = GitHub::new(&api_url(args.api_url.as_deref()), token);
    let target = git::Target {
        branch: &args.branch,
        subject: args.message.as_deref(),
        force: args.force,
        verify: &args.verify,
    };
    let outcome = git::commit_and_report(&repo, &args.run, &target)?;
    let Some(commit) = &outcome.commit else {
        eprintln!("leakfix: nothing pushed; no pull request opened or updated");
        return Ok(outcome.exit_code());
    };
    push(&repo, &args.remote, &args.branch, token)?;
    eprintln!(
        "leakfix: pushed {} to {}",
        args.branch,
        redact(&args.remote, token)
    );
    let body = pull_request_body(&outcome);
    let change = PullRequest {
        slug: &slug,
        branch: &args.branch,
        title: &commit.subject,
        body: &body,
    };
    let url = open_or_update(&api, &repo, args, &change)?;
    println!("{url}");
    Ok(outcome.exit_code())
}

fn api_url(flag: Option<&str>) -> String {
    let url = flag
        .map(str::to_string)
        .or_else(|| {
            std::env::var("GITHUB_API_URL")
                .ok()
                .filter(|u| !u.is_empty())
        })
        .unwrap_or_else(|| DEFAULT_API_URL.to_string());
    url.trim_end_matches('/').to_string()
}

/// The URL a push to `remote` goes to: a configured remote's push URL (or URL), or the
/// argument itself when it is a URL or a path.
fn push_url(repo: &Repository, remote: &str) -> Result<String, PrError> {
    let url = match repo.find_remote(remote) {
        Ok(found) => match found.pushurl()? {
            Some(url) => url.to_string(),
            None => found.url()?.to_string(),
        },
        Err(_) if looks_like_url_or_path(remote) => remote.to_string(),
        Err(_) => return Err(PrError::NoRemote(remote.to_string())),
    };
    if is_ssh(&url) {
        return Err(PrError::SshRemote(remote.to_string()));
    }
    Ok(url)
}

fn looks_like_url_or_path(text: &str) -> bool {
    text.contains("://") || text.starts_with('/') || text.starts_with('.')
}

/// `ssh://…` and scp-like `user@host:path`. libgit2 is built without SSH here, and a
/// GitHub token is an HTTPS credential anyway.
fn is_ssh(url: &str) -> bool {
    if let Some((scheme, _)) = url.split_once("://") {
        return scheme.contains("ssh");
    }
    let before_slash = url.split('/').next().unwrap_or(url);
    before_slash.contains(':') && !url.starts_with('/')
}

/// OWNER/NAME from `--repo`, GITHUB_REPOSITORY, or the remote's URL.
fn repository_slug(flag: Option<&str>, remote_url: &str) -> Result<String, PrError> {
    let given = flag.map(str::to_string).or_else(|| {
        std::env::var("GITHUB_REPOSITORY")
            .ok()
            .filter(|r| !r.is_empty())
    });
    let slug = match given {
        Some(slug) => slug,
        None => slug_from_url(remote_url).ok_or(PrError::UnknownRepository)?,
    };
    let valid = slug
        .split_once('/')
        .is_some_and(|(owner, name)| !owner.is_empty() && !name.is_empty() && !name.contains('/'));
    if !valid {
        return Err(PrError::BadRepository(slug));
    }
    Ok(slug)
}

/// The last two path segments of an http(s) URL, without `.git`.
fn slug_from_url(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !scheme.starts_with("http") {
        return None;
    }
    let path = rest.split_once('/')?.1;
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let mut segments = path.rsplit('/');
    let name = segments.next().filter(|s| !s.is_empty())?;
    let owner = segments.next().filter(|s| !s.is_empty())?;
    Some(format!("{owner}/{name}"))
}

/// Force-pushes `refs/heads/BRANCH`; the remote's branch is leakfix's to replace, since
/// every run recomputes it from HEAD.
fn push(repo: &Repository, remote: &str, branch: &str, token: &str) -> Result<(), PrError> {
    let mut target = match repo.find_remote(remote) {
        Ok(found) => found,
        Err(_) => repo.remote_anonymous(remote)?,
    };
    let rejected = RefCell::new(None);
    let mut callbacks = RemoteCallbacks::new();
    let mut offered = false;
    callbacks.credentials(move |_url, _user, allowed| {
        // libgit2 asks again after a refusal; offering the same token forever would loop.
        if offered || !allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            return Err(git2::Error::from_str(
                "the remote refused GITHUB_TOKEN or wants another kind of credential",
            ));
        }
        offered = true;
        Cred::userpass_plaintext(TOKEN_USER, token)
    });
    callbacks.push_update_reference(|refname, status| {
        if let Some(status) = status {
            *rejected.borrow_mut() = Some(format!("{refname} rejected: {status}"));
        }
        Ok(())
    });
    let mut proxy = git2::ProxyOptions::new();
    proxy.auto();
    let mut options = PushOptions::new();
    options.remote_callbacks(callbacks).proxy_options(proxy);
    let refspec = format!("+refs/heads/{branch}:refs/heads/{branch}");
    let failure = |message: String| PrError::Push {
        branch: branch.to_string(),
        remote: remote.to_string(),
        message,
    };
    target
        .push(&[refspec], Some(&mut options))
        .map_err(|e| failure(e.message().to_string()))?;
    match rejected.take() {
        Some(message) => Err(failure(message)),
        None => Ok(()),
    }
}

/// What the pull request should say.
struct PullRequest<'a> {
    slug: &'a str,
    branch: &'a str,
    title: &'a str,
    body: &'a str,
}

/// Edits the open pull request of the branch, or opens one; returns its html_url.
fn open_or_update(
    api: &GitHub,
    repo: &Repository,
    args: &PrArgs,
    change: &PullRequest,
) -> Result<String, PrError> {
    let owner = change.slug.split('/').next().unwrap_or_default();
    let list = format!(
        "/repos/{}/pulls?head={}&state=open",
        change.slug,
        encode_query_value(&format!("{owner}:{}", change.branch))
    );
    let open = api.get(&list)?;
    let existing = open
        .as_array()
        .and_then(|prs| prs.first())
        .and_then(|pr| pr["number"].as_u64());
    let response = match existing {
        Some(number) => {
            let mut update = json!({ "title": change.title, "body": change.body });
            if let Some(base) = &args.base {
                update["base"] = json!(base);
            }
            let path = format!("/repos/{}/pulls/{number}", change.slug);
            let response = api.send(Method::Patch, &path, &update)?;
            eprintln!("leakfix: updated pull request #{number}");
            response
        }
        None => {
            let base = match &args.base {
                Some(base) => base.clone(),
                None => default_branch(api, repo, &args.remote, change.slug)?,
            };
            let create = json!({
                "title": change.title,
                "head": change.branch,
                "base": base,
                "body": change.body,
            });
            let path = format!("/repos/{}/pulls", change.slug);
            let response = api.send(Method::Post, &path, &create)?;
            eprintln!(
                "leakfix: opened pull request #{} into {base}",
                response["number"]
            );
            response
        }
    };
    response["html_url"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| PrError::Api {
            method: "POST/PATCH",
            path: format!("/repos/{}/pulls", change.slug),
            message: "the response has no html_url".to_string(),
        })
}

/// The branch the pull request goes into: what `git clone` recorded as the remote's HEAD
/// (`refs/remotes/REMOTE/HEAD`), else what the API says the default branch is.
fn default_branch(
    api: &GitHub,
    repo: &Repository,
    remote: &str,
    slug: &str,
) -> Result<String, PrError> {
    let prefix = format!("refs/remotes/{remote}/");
    let recorded = repo
        .find_reference(&format!("{prefix}HEAD"))
        .ok()
        .and_then(|r| r.symbolic_target().ok().flatten().map(str::to_string))
        .and_then(|target| target.strip_prefix(&prefix).map(str::to_string));
    if let Some(branch) = recorded {
        return Ok(branch);
    }
    let path = format!("/repos/{slug}");
    let info = api.get(&path)?;
    info["default_branch"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| PrError::Api {
            method: "GET",
            path,
            message: "the response has no default_branch; pass --base".to_string(),
        })
}

/// Percent-encodes everything but unreserved characters and the `:` and `/` that GitHub's
/// `head=owner:branch` filter reads literally.
fn encode_query_value(text: &str) -> String {
    let mut encoded = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' | b'/' => {
                encoded.push(byte as char)
            }
            _ => {
                let _ = write!(encoded, "%{byte:02X}");
            }
        }
    }
    encoded
}

/// The table of fixes, then each rule's documentation folded away.
pub fn pull_request_body(outcome: &BranchOutcome) -> String {
    let fixes = outcome.fix_count();
    let mut body = format!(
        "`leakfix` fixed {fixes} leak{} in HEAD (`{}`). Each fix is listed below with its \
         rule; the rules' explanations follow the table.\n\n",
        crate::plural(fixes, "s"),
        git::short(outcome.head)
    );
    body.push_str("| File | Line | Rule | Applicability |\n| --- | --- | --- | --- |\n");
    let rows: Vec<String> = outcome
        .with_fixes()
        .flat_map(|file| {
            file.report.applied.iter().map(move |fix| {
                format!(
                    "| `{}` | {} | `{}` | {} |\n",
                    file.path.replace('|', "\\|"),
                    fix.line,
                    fix.rule,
                    fix.applicability
                )
            })
        })
        .collect();
    for row in rows.iter().take(MAX_TABLE_ROWS) {
        body.push_str(row);
    }
    if rows.len() > MAX_TABLE_ROWS {
        let more = rows.len() - MAX_TABLE_ROWS;
        let _ = writeln!(
            body,
            "\n…and {more} more; the commit message lists every fix."
        );
    }
    let used: BTreeSet<&str> = outcome
        .with_fixes()
        .flat_map(|f| f.report.applied.iter().map(|fix| fix.rule))
        .collect();
    for rule in used.into_iter().filter_map(rules::find) {
        let _ = write!(
            body,
            "\n<details>\n<summary><code>{}</code>: {}</summary>\n\n{}\n</details>\n",
            rule.id,
            rule.summary,
            demote_headings(rule.documentation().trim_end())
        );
    }
    if let Some(summary) = &outcome.verification {
        body.push('\n');
        body.push_str(&crate::verify::markdown(summary));
    }
    body.push_str(
        "\n---\nOpened by `leakfix pr`; running it again replaces this branch's commit and updates this pull request.\n",
    );
    body
}

/// The documentation's `## What it does` headings become `####`, so that inside a
/// folded section they read as the small headings they are rather than the pull request's
/// own titles. Lines in code fences (Go comments never start with `#`, but be exact) stay.
fn demote_headings(doc: &str) -> String {
    let mut in_code = false;
    let mut out = String::new();
    for line in doc.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with('#') {
            out.push_str("##");
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[derive(Debug, Clone, Copy)]
enum Method {
    Post,
    Patch,
}

/// A minimal GitHub REST client: JSON in, JSON out, GitHub's own error message on failure.
struct GitHub {
    agent: ureq::Agent,
    base: String,
    authorization: String,
}

impl GitHub {
    fn new(base: &str, token: &str) -> Self {
        let config = ureq::Agent::config_builder()
            // A 4xx carries GitHub's explanation in the body; read it instead of failing.
            .http_status_as_error(false)
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(REQUEST_TIMEOUT))
            .user_agent(concat!("leakfix/", env!("CARGO_PKG_VERSION")))
            .build();
        GitHub {
            agent: config.into(),
            base: base.to_string(),
            authorization: format!("Bearer {token}"),
        }
    }

    fn with_headers<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        request
            .header("Authorization", &self.authorization)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
    }

    fn get(&self, path: &str) -> Result<Value, PrError> {
        let url = format!("{}{path}", self.base);
        let response = self.with_headers(self.agent.get(&url)).call();
        read_response(response, "GET", path)
    }

    fn send(&self, method: Method, path: &str, body: &Value) -> Result<Value, PrError> {
        let url = format!("{}{path}", self.base);
        let (name, request) = match method {
            Method::Post => ("POST", self.agent.post(&url)),
            Method::Patch => ("PATCH", self.agent.patch(&url)),
        };
        let response = self.with_headers(request).send_json(body);
        read_response(response, name, path)
    }
}

fn read_response(
    response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    method: &'static str,
    path: &str,
) -> Result<Value, PrError> {
    let failure = |message: String| PrError::Api {
        method,
        path: path.split('?').next().unwrap_or(path).to_string(),
        message,
    };
    let mut response = response.map_err(|e| failure(e.to_string()))?;
    let status = response.status();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| failure(e.to_string()))?;
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(failure(format!("{status}: {}", github_message(&value))));
    }
    if value.is_null() {
        return Err(failure(format!("{status}: the response is not JSON")));
    }
    Ok(value)
}

/// GitHub's `message`, with the details of a 422's `errors` array when there are any.
fn github_message(value: &Value) -> String {
    let mut message = value["message"]
        .as_str()
        .unwrap_or("no message")
        .to_string();
    let details: Vec<&str> = value["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["message"].as_str().or_else(|| e["code"].as_str()))
        .collect();
    if !details.is_empty() {
        message = format!("{message} ({})", details.join("; "));
    }
    message
}

/// Tokens shorter than this are not GitHub tokens (those run to 40 characters and more),
/// and replacing every occurrence of, say, `x` would garble the message instead.
const MIN_REDACTED_LEN: usize = 8;

/// Removes the token, and any `user:password@` in URLs, from text about to be shown.
fn redact(text: &str, token: &str) -> String {
    let text = if token.len() < MIN_REDACTED_LEN {
        text.to_string()
    } else {
        text.replace(token, "***")
    };
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let authority_end = tail
            .find(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'')
            .unwrap_or(tail.len());
        match tail[..authority_end].rfind('@') {
            Some(userinfo_end) => {
                out.push_str("***");
                rest = &tail[userinfo_end..];
            }
            None => rest = tail,
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_is_read_from_http_urls() {
        let slug = |url: &str| slug_from_url(url);
        assert_eq!(
            slug("https://github.com/acme/widgets.git").as_deref(),
            Some("acme/widgets")
        );
        assert_eq!(
            slug("https://x:y@ghe.example/acme/widgets/").as_deref(),
            Some("acme/widgets")
        );
        assert_eq!(slug("file:///srv/git/widgets.git"), None);
        assert_eq!(slug("/srv/git/widgets.git"), None);
    }

    #[test]
    fn ssh_remotes_are_recognised() {
        assert!(is_ssh("git@github.com:acme/widgets.git"));
        assert!(is_ssh("ssh://git@github.com/acme/widgets.git"));
        assert!(!is_ssh("https://github.com/acme/widgets.git"));
        assert!(!is_ssh("/srv/git/widgets.git"));
        assert!(!is_ssh("file:///srv/git/widgets.git"));
    }

    #[test]
    fn secrets_are_scrubbed_from_messages() {
        let text = "could not push to https://x-access-token:s3cret-token@github.com/a/b.git: s3cret-token";
        assert_eq!(
            redact(text, "s3cret-token"),
            "could not push to https://***@github.com/a/b.git: ***"
        );
        assert_eq!(
            redact("see https://github.com/a/b", "ghp_abcdefgh"),
            "see https://github.com/a/b"
        );
        assert_eq!(redact("leakfix failed", "x"), "leakfix failed");
    }

    #[test]
    fn documentation_headings_are_demoted_outside_code() {
        let doc = "## What it does\nText.\n```sh\n# a comment\n```\n";
        assert_eq!(
            demote_headings(doc),
            "#### What it does\nText.\n```sh\n# a comment\n```\n"
        );
    }

    #[test]
    fn the_head_filter_is_encoded() {
        assert_eq!(
            encode_query_value("acme:leakfix/fixes"),
            "acme:leakfix/fixes"
        );
        assert_eq!(encode_query_value("a:b&c#d+e"), "a:b%26c%23d%2Be");
    }
}
