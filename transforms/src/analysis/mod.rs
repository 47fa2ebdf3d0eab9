//! The analysis layer: facts about Go code that the rules share, each computed once and
//! asked for by name — as go/analysis's `inspect` and `ctrlflow` passes serve vet's
//! analyzers, and ruff's semantic model serves its rules. A rule never re-derives one of
//! these facts from raw syntax.
//!
//! - [`flow`]: control flow per function body — terminating statements, "every path from
//!   here leaves the loop", and "how many sends can one execution perform".
//! - [`values`]: value flow in a scope — what is derived from a value and where it escapes.
//! - [`channels`]: local channel identities — make sites, and every send, receive,
//!   range, close, return and escape, followed into goroutine literals.
//! - [`fields`]: struct-field channel identities across the package — make sites and
//!   capacities, sends, receives (and whether the receiver can stop), ranges, closes,
//!   escapes, and methods started as goroutines.
//! - [`release`]: a resource released by a deferred call in a loop iteration — where it
//!   was acquired, whether the iteration uses it, and why it must outlive the iteration.
//! - [`senders`]: the goroutines that send on a local channel, how many values each can
//!   send, and whether anything can block or run after the send.
//! - [`package`]: the package view — every file of the directory's package, parsed once,
//!   with its types, channel fields, functions and methods.

pub mod channels;
pub mod fields;
pub mod flow;
pub mod package;
pub mod paths;
pub mod release;
pub mod senders;
pub mod values;
