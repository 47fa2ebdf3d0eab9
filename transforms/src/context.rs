//! What a rule is given: the text of one file, its syntax tree, the module's Go version and
//! the user's settings. Nothing here touches the file system.

use crate::analysis::package::{Declarations, PackageSource, PackageView};
use crate::gomod::{GoVersion, ModuleInfo, TimerLeak};
use crate::syntax;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use tree_sitter::{Node, Tree};

/// The nodes of the kinds the rules start from, gathered in one walk of the tree so that
/// each rule does not walk the whole file again.
#[derive(Default)]
pub struct NodeIndex<'t> {
    by_kind: HashMap<&'static str, Vec<Node<'t>>>,
}

impl<'t> NodeIndex<'t> {
    /// Walks `tree` once, keeping the nodes whose kind is in `kinds`. Kinds are told
    /// apart by their numeric id, looked up in a table made once per walk: hashing every
    /// node's kind name cost more than the walk itself.
    pub fn new(tree: &'t Tree, kinds: &[&'static str]) -> Self {
        let mut by_kind: HashMap<&'static str, Vec<Node<'t>>> =
            kinds.iter().map(|k| (*k, Vec::new())).collect();
        let language = tree.language();
        let slots: Vec<&'static str> = by_kind.keys().copied().collect();
        // For each kind id, the slot of its name among `slots`, if it is one of them.
        let table: Vec<Option<usize>> = (0..language.node_kind_count() as u16)
            .map(|id| {
                let name = language.node_kind_for_id(id)?;
                slots.iter().position(|s| *s == name)
            })
            .collect();
        let mut found: Vec<Vec<Node<'t>>> = vec![Vec::new(); slots.len()];
        syntax::for_each_node(tree.root_node(), |node| {
            if let Some(Some(slot)) = table.get(usize::from(node.kind_id())) {
                found[*slot].push(node);
            }
        });
        for (slot, nodes) in slots.iter().zip(found) {
            by_kind.insert(slot, nodes);
        }
        NodeIndex { by_kind }
    }
}

/// Settings that change what rules report, taken from the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `--target-go`: the Go version to assume instead of the go.mod `go` and `toolchain`
    /// lines.
    pub target_go: Option<GoVersion>,
}

/// One file as the rules see it.
pub struct FileContext<'a> {
    pub source: &'a str,
    pub tree: &'a Tree,
    /// Read only through `timer_leak`, which records that it was asked.
    module: &'a ModuleInfo,
    /// Whether a rule asked how the module treats timers: the answer depends on the
    /// module's `package main` files, so the cache keeps such results only while those
    /// files say the same.
    timer_behaviour_asked: Cell<bool>,
    pub settings: &'a Settings,
    /// Whether the file name ends in `_test.go`.
    pub is_test_file: bool,
    pub index: &'a NodeIndex<'a>,
    /// Names declared at the top level of the file, computed on first use: a rule asks
    /// for them per match, and a generated file can declare hundreds of thousands.
    package_names: OnceCell<HashSet<String>>,
    /// The file's declarations (analysis layer), read on first use.
    declarations: OnceCell<Declarations>,
    /// The view of the whole package, when the caller can provide one.
    package: Option<&'a dyn PackageSource>,
    /// The file's own name, to tell its facts in the package view from the others'.
    pub file_name: &'a str,
    /// Per-function name facts, keyed by the function node's id: a rule asks for them at
    /// every match, and one function can hold thousands of matches, so walking the
    /// function each time would make a file's cost grow with the square of its matches.
    functions: RefCell<HashMap<usize, FunctionNames>>,
}

/// What the rules ask about the names of one function, each computed on first use.
#[derive(Default)]
struct FunctionNames {
    declared: Option<Rc<HashSet<String>>>,
    identifiers: Option<Rc<HashSet<String>>>,
    /// Names given to fixes in this function, so that two fixes made in the same pass
    /// never introduce the same name.
    handed_out: HashSet<String>,
    /// For each base name, the suffix to try next (`timer`, `timer2`, …), so that handing
    /// out the thousandth name does not try the first 999 again.
    next_suffix: HashMap<String, usize>,
}

impl<'a> FileContext<'a> {
    pub fn new(
        source: &'a str,
        tree: &'a Tree,
        module: &'a ModuleInfo,
        settings: &'a Settings,
        is_test_file: bool,
        index: &'a NodeIndex<'a>,
    ) -> Self {
        FileContext {
            source,
            tree,
            module,
            timer_behaviour_asked: Cell::new(false),
            settings,
            is_test_file,
            index,
            package_names: OnceCell::new(),
            declarations: OnceCell::new(),
            package: None,
            file_name: "",
            functions: RefCell::new(HashMap::new()),
        }
    }

    /// Names declared anywhere in `function` (`syntax::declared_names`), computed once.
    pub fn declared_names_in(&self, function: Node<'_>) -> Rc<HashSet<String>> {
        let mut functions = self.functions.borrow_mut();
        let facts = functions.entry(function.id()).or_default();
        facts
            .declared
            .get_or_insert_with(|| Rc::new(syntax::declared_names(function, self.source)))
            .clone()
    }

    /// Every identifier spelled in `function` (`syntax::identifiers`), computed once.
    pub fn identifiers_in(&self, function: Node<'_>) -> Rc<HashSet<String>> {
        let mut functions = self.functions.borrow_mut();
        let facts = functions.entry(function.id()).or_default();
        facts
            .identifiers
            .get_or_insert_with(|| Rc::new(syntax::identifiers(function, self.source)))
            .clone()
    }

    /// `base`, `base2`, `base3`, … — the first name that no identifier in `function`, no
    /// package-level name and no name handed out earlier for `function` uses. Fixes in one
    /// function then never clash over a name and can be applied in the same pass.
    pub fn fresh_name(&self, function: Node<'_>, base: &str) -> String {
        let identifiers = self.identifiers_in(function);
        let package = self.package_level_names();
        let mut functions = self.functions.borrow_mut();
        let facts = functions.entry(function.id()).or_default();
        let next = facts.next_suffix.entry(base.to_string()).or_insert(1);
        loop {
            let name = match *next {
                1 => base.to_string(),
                n => format!("{base}{n}"),
            };
            *next += 1;
            let taken = identifiers.contains(&name)
                || package.contains(&name)
                || facts.handed_out.contains(&name);
            if !taken {
                facts.handed_out.insert(name.clone());
                return name;
            }
        }
    }

    /// Whether `name` still means Go's builtin of that name inside `function`: nothing in
    /// the function, this file or (with a view) its package declares it. A fix that
    /// inserts `close(c)` where `close` is the package's own function would not compile.
    pub fn means_builtin(&self, function: Node<'_>, name: &str) -> bool {
        !self.declared_names_in(function).contains(name)
            && !self.package_level_names().contains(name)
            && !self
                .package_view()
                .is_some_and(|view| view.declares_top_level(name))
    }

    /// Gives the rules the package view and the file's name in it.
    pub fn with_package(
        mut self,
        package: Option<&'a dyn PackageSource>,
        file_name: &'a str,
    ) -> Self {
        self.package = package;
        self.file_name = file_name;
        self
    }

    /// The view of the file's whole package (built on first use by the caller), or
    /// `None` when the file is checked on its own.
    pub fn package_view(&self) -> Option<&'a PackageView> {
        self.package.and_then(|p| p.view())
    }

    /// The functions, methods and channel fields this file declares.
    pub fn declarations(&self) -> &Declarations {
        self.declarations
            .get_or_init(|| Declarations::of_file(self.root(), self.source))
    }

    /// Whether a call returns plain data that cannot refer to its arguments or receiver.
    pub fn returns_plain_data(&self, call: Node<'_>) -> bool {
        crate::analysis::values::returns_plain_data(call, self.source, &|callee| {
            self.declarations().callee_results(callee, self.source)
        })
    }

    /// Names declared at the top level of this file (functions, types, vars, consts,
    /// imports).
    pub fn package_level_names(&self) -> &HashSet<String> {
        self.package_names
            .get_or_init(|| syntax::package_level_names(self.root(), self.source))
    }

    pub fn root(&self) -> Node<'a> {
        self.tree.root_node()
    }

    /// The nodes of the given kinds, in source order. A kind the rule did not declare in
    /// its `KINDS` is found by walking the tree, so a missing declaration costs time, not
    /// findings.
    pub fn nodes(&self, kinds: &[&str]) -> Vec<Node<'a>> {
        if kinds.iter().all(|k| self.index.by_kind.contains_key(k)) {
            let mut nodes: Vec<Node<'a>> = kinds
                .iter()
                .flat_map(|k| self.index.by_kind[k].iter().copied())
                .collect();
            if kinds.len() > 1 {
                nodes.sort_by_key(|n| n.start_byte());
            }
            nodes
        } else {
            syntax::descendants_of_kind(self.root(), kinds)
        }
    }

    /// The source text of a node.
    pub fn text(&self, node: Node<'_>) -> &'a str {
        &self.source[node.byte_range()]
    }

    /// The name in the `package` clause, if the parser found one.
    pub fn package_name(&self) -> Option<&'a str> {
        let root = self.root();
        let mut cursor = root.walk();
        let clause = root
            .children(&mut cursor)
            .find(|n| n.kind() == "package_clause")?;
        let mut inner = clause.walk();
        let name = clause
            .named_children(&mut inner)
            .find(|n| n.kind() == "package_identifier")?;
        Some(self.text(name))
    }

    /// Whether a timer that is never stopped stays in memory until it fires, and why
    /// (`ModuleInfo::timer_leak`); `--target-go` replaces what the module says.
    pub fn timer_leak(&self) -> TimerLeak {
        self.timer_behaviour_asked.set(true);
        self.module.timer_leak(self.settings.target_go)
    }

    /// Whether any rule asked `timer_leak` of this context.
    pub fn timer_behaviour_asked(&self) -> bool {
        self.timer_behaviour_asked.get()
    }
}
