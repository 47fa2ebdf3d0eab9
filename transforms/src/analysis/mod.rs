//! The analysis layer: facts about Go code that the rules share, each computed once and
//! asked for by name — as go/analysis's `inspect` and `ctrlflow` passes serve vet's
//! analyzers, and ruff's semantic model serves its rules. A rule never re-derives one of
//! these facts from raw syntax.
//!
//! - [`flow`]: control flow per function body — terminating statements, "every path from
//!   here leaves the loop", and "how many sends can one execution perform".
//! - [`values`]: value flow in a scope — what is derived from a value and where it escapes.
//! - [`channels`]: channel identities — local, parameter, struct field and returned
//!   channels, with their make sites, sends, receives, ranges and closes.
//! - [`package`]: the package view — every file of the directory's package, parsed once,
//!   with its types, channel fields, functions and methods.

pub mod fields;
pub mod flow;
pub mod package;
pub mod values;
