//! The stdio transport. lsp-server's own reader gives up on the first message that is not
//! valid JSON or not valid UTF-8, which ends the session; an editor sending a buffer with
//! a stray byte or a lone UTF-16 surrogate must not take the server down, so this reader
//! repairs such text (U+FFFD in its place, as the editor would display it) and skips a
//! message it still cannot read, saying so on stderr.

use crossbeam_channel::{Receiver, Sender};
use lsp_server::Message;
use std::io::{self, BufRead};
use std::thread::JoinHandle;

/// The channels to and from the editor, and the threads that serve them.
pub struct Stdio {
    pub sender: Sender<Message>,
    pub receiver: Receiver<Message>,
    reader: JoinHandle<()>,
    writer: JoinHandle<io::Result<()>>,
}

impl Stdio {
    pub fn start() -> Self {
        let (to_server, receiver) = crossbeam_channel::unbounded();
        let (sender, from_server) = crossbeam_channel::unbounded::<Message>();
        let reader = std::thread::spawn(move || {
            let mut stdin = io::stdin().lock();
            read_messages(&mut stdin, &to_server);
        });
        let writer = std::thread::spawn(move || {
            let mut stdout = io::stdout().lock();
            from_server
                .into_iter()
                .try_for_each(|message| message.write(&mut stdout))
        });
        Stdio {
            sender,
            receiver,
            reader,
            writer,
        }
    }

    /// Waits for everything sent to be written. The reader is not waited for: after
    /// `exit` it has stopped, and without one it may be blocked on a stdin nobody closes.
    pub fn finish(self) -> io::Result<()> {
        drop(self.sender);
        drop(self.reader);
        self.writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread panicked")))
    }
}

/// Forwards every readable message until end of input, `exit`, or a broken frame.
pub fn read_messages(input: &mut impl BufRead, to_server: &Sender<Message>) {
    loop {
        let body = match read_frame(input) {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(err) => {
                eprintln!("leakfix lsp: error: unreadable message frame: {err}");
                return;
            }
        };
        let Some(message) = parse(&body) else {
            eprintln!(
                "leakfix lsp: error: skipped a message that is not JSON-RPC: {}",
                String::from_utf8_lossy(&body[..body.len().min(200)])
            );
            continue;
        };
        let is_exit = matches!(&message, Message::Notification(n) if n.method == "exit");
        if to_server.send(message).is_err() || is_exit {
            return;
        }
    }
}

/// One message body: `Content-Length` headers, a blank line, then that many bytes.
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(value.trim().parse::<usize>().map_err(io::Error::other)?);
            }
        }
    }
    let length = length.ok_or_else(|| io::Error::other("a header without Content-Length"))?;
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

/// The message in `body`, repairing invalid UTF-8 and lone surrogate escapes first when
/// it does not parse as it is.
fn parse(body: &[u8]) -> Option<Message> {
    if let Ok(message) = serde_json::from_slice(body) {
        return Some(message);
    }
    let text = String::from_utf8_lossy(body);
    serde_json::from_str(&replace_lone_surrogates(&text)).ok()
}

/// `\uD800`–`\uDFFF` escapes that do not form a pair become `\uFFFD`; serde_json rejects
/// them, and JavaScript editors send them for half-deleted emoji.
fn replace_lone_surrogates(json: &str) -> String {
    let escape_at = |at: usize| -> Option<u16> {
        let hex = json.get(at..at + 6)?.strip_prefix("\\u")?;
        u16::from_str_radix(hex, 16).ok()
    };
    let mut out = String::with_capacity(json.len());
    let mut at = 0;
    while let Some(next) = json[at..].find('\\').map(|i| at + i) {
        out.push_str(&json[at..next]);
        if json[next..].starts_with("\\\\") {
            out.push_str("\\\\");
            at = next + 2;
            continue;
        }
        match escape_at(next) {
            Some(0xD800..=0xDBFF) if matches!(escape_at(next + 6), Some(0xDC00..=0xDFFF)) => {
                out.push_str(&json[next..next + 12]);
                at = next + 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.push_str("\\uFFFD");
                at = next + 6;
            }
            _ => {
                out.push('\\');
                at = next + 1;
            }
        }
    }
    out.push_str(&json[at..]);
    out
}

/// Writes one message with its header, as the editor expects it (used by the tests).
#[cfg(test)]
pub fn frame(json: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", json.len()).into_bytes();
    out.extend_from_slice(json);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8]) -> Vec<Message> {
        let (sender, receiver) = crossbeam_channel::unbounded();
        read_messages(&mut io::BufReader::new(input), &sender);
        drop(sender);
        receiver.into_iter().collect()
    }

    #[test]
    fn invalid_utf8_and_lone_surrogates_become_replacement_characters() {
        let mut input =
            frame(b"{\"jsonrpc\":\"2.0\",\"method\":\"a\",\"params\":{\"text\":\"x\xffy\"}}");
        input.extend(frame(
            br#"{"jsonrpc":"2.0","method":"b","params":{"text":"\ud83d!\ud834\udd1e\\ud800"}}"#,
        ));
        input.extend(frame(b"not json"));
        input.extend(frame(br#"{"jsonrpc":"2.0","method":"exit"}"#));
        input.extend(frame(br#"{"jsonrpc":"2.0","method":"after-exit"}"#));
        let texts: Vec<String> = read_all(&input)
            .into_iter()
            .map(|m| match m {
                Message::Notification(n) => format!("{} {}", n.method, n.params),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            texts,
            [
                "a {\"text\":\"x\u{fffd}y\"}",
                "b {\"text\":\"\u{fffd}!\u{1d11e}\\\\ud800\"}",
                "exit null",
            ]
        );
    }
}
