//! The pure core of leakfix: the finding/fix model, the Go syntax helpers, one module per
//! rule, and the fix loop. Nothing in this crate reads or writes files; the `leakfix`
//! binary does all I/O and hands this crate text.

// Rule documentation shows Go code, which gofmt indents with tabs; spaces would misquote it.
#![allow(clippy::tabs_in_doc_comments)]

pub mod across;
pub mod align;
pub mod analysis;
/// Local channel identities, now part of the analysis layer; kept at this path for the rules.
pub use analysis::channels;
pub mod context;
pub mod fixer;
pub mod gomod;
pub mod lines;
pub mod loop_closure;
pub mod model;
pub mod prefilter;
pub mod rules;
pub mod suppression;
pub mod syntax;

#[cfg(test)]
mod test_support;

pub use context::{FileContext, Settings};
pub use fixer::{run, AppliedFix, FixPolicy, Outcome, RejectedFix, SourceFile};
pub use gomod::{DebugDirective, FileHeader, GoVersion, ModuleInfo, TimerLeak};
pub use model::{Applicability, Edit, Finding, Fix, Severity};
pub use rules::{Rule, RULES};
