//! Declarations of a package: functions and methods with their result types, and struct
//! types with their channel-typed fields. Built once from each file's syntax tree; the
//! rules ask it instead of searching the tree for a declaration per match.

use crate::analysis::channels::{sender_role, SenderRole};
use crate::analysis::fields::{self, FieldEvent, FieldOp};
use crate::syntax::{self, descendants_of_kind};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use tree_sitter::Node;

/// Hands a file's rules the view of its whole package. The binary implements it (it
/// knows where the directory's other files are); the rules only ask.
pub trait PackageSource: Sync {
    /// The package view, or `None` when the package's files cannot be listed.
    fn view(&self) -> Option<&PackageView>;
}

/// Reads one file of the package by name: the binary's I/O, handed in as a function so
/// that this crate stays pure.
pub type FileLoader = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// The facts of one file of the package, from one parse.
#[derive(Debug, Default)]
pub struct FileFacts {
    pub declarations: Declarations,
    pub field_events: Vec<FieldEvent>,
    pub started_methods: Vec<String>,
}

impl FileFacts {
    fn of(name: &str, text: &str) -> Self {
        let Some(tree) = syntax::parse_go(text) else {
            return FileFacts::default();
        };
        let root = tree.root_node();
        let mut declarations = Declarations::of_file(root, text);
        declarations.set_file(name);
        let facts = fields::of_file(root, text, name);
        FileFacts {
            declarations,
            field_events: facts.events,
            started_methods: facts.started_methods,
        }
    }
}

/// Every file of a directory's package (its `_test.go` files included; `package x_test`
/// is its own package). A question names what it is about — a field, a method — and only
/// the files whose text mentions that name are parsed, each at most once, and reduced to
/// its facts: no text or tree is kept, so one view serves every file of the package and
/// the prefilter keeps its value (a package is not parsed whole because one file asked).
pub struct PackageView {
    files: Vec<(String, OnceLock<FileFacts>)>,
    load: FileLoader,
}

impl std::fmt::Debug for PackageView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PackageView")
            .field("files", &self.file_names())
            .finish()
    }
}

impl PackageView {
    /// A view over the named files, read with `load` when a question needs them.
    pub fn new(files: Vec<String>, load: FileLoader) -> Self {
        PackageView {
            files: files.into_iter().map(|f| (f, OnceLock::new())).collect(),
            load,
        }
    }

    /// A view over texts already in memory, as (file name, text).
    pub fn build(files: &[(String, String)]) -> Self {
        let texts: HashMap<String, String> = files.iter().cloned().collect();
        let names = files.iter().map(|(n, _)| n.clone()).collect();
        PackageView::new(names, Box::new(move |name| texts.get(name).cloned()))
    }

    pub fn file_names(&self) -> Vec<&str> {
        self.files.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// The facts of every file but `besides` whose text `mentions` approves of: a cheap
    /// look at the text decides whether the file is parsed at all. The file asking a
    /// question passes its own name as `besides` and brings its own facts, so that it is
    /// not parsed a second time here.
    fn facts_where(
        &self,
        besides: Option<&str>,
        mentions: impl Fn(&str) -> bool,
    ) -> Vec<&FileFacts> {
        self.files
            .iter()
            .filter(|(name, _)| besides != Some(name.as_str()))
            .filter_map(|(name, facts)| {
                if let Some(facts) = facts.get() {
                    // Parsed already: cheaper to ask the facts than to read the text again.
                    return Some(facts);
                }
                let text = (self.load)(name)?;
                mentions(&text).then(|| facts.get_or_init(|| FileFacts::of(name, &text)))
            })
            .collect()
    }

    /// The struct types of the package with a channel field of this name.
    pub fn channel_field_types(&self, field: &str) -> Vec<String> {
        self.channel_field_types_besides(field, None)
    }

    /// The struct types of the package with a channel field of this name, the file
    /// named in `asking` answering for itself with its own declarations.
    pub fn channel_field_types_besides(
        &self,
        field: &str,
        asking: Option<(&str, &Declarations)>,
    ) -> Vec<String> {
        let others = self.facts_where(asking.map(|(name, _)| name), |t| {
            t.contains("struct") && declares_channel_field(t, field)
        });
        let mut types: Vec<String> = others
            .iter()
            .map(|f| &f.declarations)
            .chain(asking.map(|(_, own)| own))
            .flat_map(|d| d.channel_fields.keys())
            .filter_map(|k| k.split_once('.'))
            .filter(|(_, f)| *f == field)
            .map(|(t, _)| t.to_string())
            .collect();
        types.sort();
        types.dedup();
        types
    }

    /// The events on one field, from every file but `besides` that mentions it.
    pub fn events_of(&self, field: &str, besides: Option<&str>) -> Vec<FieldEvent> {
        self.facts_where(besides, |t| mentions_field(t, field))
            .iter()
            .flat_map(|f| f.field_events.iter().filter(|e| e.field == field).cloned())
            .collect()
    }

    /// Whether some file but `besides` may receive from a field `field` (`<-x.field`):
    /// the facts say for a file parsed already, a look at the text for the others, so
    /// that a question no file can answer yes to parses nothing.
    pub fn may_receive(&self, field: &str, besides: Option<&str>) -> bool {
        self.files
            .iter()
            .filter(|(name, _)| besides != Some(name.as_str()))
            .any(|(name, facts)| match facts.get() {
                Some(facts) => facts
                    .field_events
                    .iter()
                    .any(|e| e.field == field && matches!(e.op, FieldOp::Receive { .. })),
                None => (self.load)(name).is_some_and(|t| crate::prefilter::may_receive(&t, field)),
            })
    }

    /// The package-level function of this name, from whichever file declares it.
    pub fn function(&self, name: &str) -> Option<FunctionDecl> {
        let declaration = format!("func {name}(");
        self.facts_where(None, |t| t.contains(&declaration))
            .iter()
            .find_map(|f| f.declarations.functions.get(name).cloned())
    }

    /// How many times the package names `name` outside its own declaration: calls, and
    /// uses as a value. Asked rarely (before a fix edits a function in another file), so
    /// it parses the files that mention the name instead of keeping more facts per file.
    pub fn references(&self, name: &str) -> usize {
        self.files
            .iter()
            .filter_map(|(file, _)| (self.load)(file))
            .filter(|text| text.contains(name))
            .map(|text| references_in(&text, name))
            .sum()
    }

    /// Whether some file of the package declares `name` at its top level (a function,
    /// type, var, const or import name): then `name` does not mean Go's builtin of that
    /// name anywhere in the package. Asked only before a fix inserts a builtin call.
    pub fn declares_top_level(&self, name: &str) -> bool {
        self.files
            .iter()
            .filter_map(|(file, _)| (self.load)(file))
            .filter(|text| text.contains(name))
            .any(|text| {
                syntax::parse_go(&text).is_none_or(|tree| {
                    syntax::package_level_names(tree.root_node(), &text).contains(name)
                })
            })
    }

    /// The names declared inside `function` (parameters, results, variables, constants,
    /// types), read from its file; `None` when the file or the function cannot be read.
    pub fn names_declared_in(&self, function: &FunctionDecl) -> Option<HashSet<String>> {
        let text = (self.load)(&function.file)?;
        let tree = syntax::parse_go(&text)?;
        let node = tree
            .root_node()
            .descendant_for_byte_range(function.range.start, function.range.end)?;
        Some(syntax::declared_names(node, &text))
    }

    /// Whether some file but `besides` starts `method` as a goroutine (`go x.method(…)`).
    pub fn starts_method(&self, method: &str, besides: Option<&str>) -> bool {
        self.facts_where(besides, |t| crate::prefilter::may_start(t, method))
            .iter()
            .any(|f| f.started_methods.iter().any(|m| m == method))
    }
}

/// Whether `text` has `.field` or `field:` with `field` a whole word: the selector or the
/// composite-literal key every event on the field is written with. (A common short name,
/// `c` or `ch`, starts many longer ones: `.close`, `.cfg`.)
fn mentions_field(text: &str, field: &str) -> bool {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    text.match_indices(field).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + field.len()).copied();
        let whole = !before.is_some_and(is_word) && !after.is_some_and(is_word);
        whole && (before == Some(b'.') || after == Some(b':'))
    })
}

/// The identifiers spelling `name` in `text`, other than the names of declarations.
fn references_in(text: &str, name: &str) -> usize {
    let Some(tree) = syntax::parse_go(text) else {
        return usize::MAX / 2;
    };
    descendants_of_kind(tree.root_node(), &["identifier"])
        .into_iter()
        .filter(|id| &text[id.byte_range()] == name)
        .filter(|id| {
            id.parent().is_none_or(|p| {
                !matches!(p.kind(), "function_declaration" | "method_declaration")
                    || p.child_by_field_name("name") != Some(*id)
            })
        })
        .count()
}

/// Whether `text` may declare a field `field` of channel type: the word `field`, maybe
/// followed by more names of the same list (`field, other`), then `chan` or `<-`. A cheap
/// look that spares parsing the package's other files, which mention common field names
/// (`ch`, `done`) far more often than they declare them.
fn declares_channel_field(text: &str, field: &str) -> bool {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    text.match_indices(field).any(|(at, _)| {
        let end = at + field.len();
        if at > 0 && is_word(bytes[at - 1]) || bytes.get(end).is_some_and(|b| is_word(*b)) {
            return false;
        }
        let is_chan =
            |rest: &[u8]| rest.starts_with(b"chan") && rest.get(4).is_none_or(|b| !is_word(*b));
        let mut i = end;
        loop {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let rest = &bytes[i..];
            if let Some(after) = rest.strip_prefix(b"<-") {
                // `<-chan T`; a send (`x.field <- v`) has no `chan` after the arrow.
                let blank = after.iter().take_while(|b| b.is_ascii_whitespace()).count();
                return is_chan(&after[blank..]);
            }
            if is_chan(rest) {
                return true;
            }
            if rest.first() != Some(&b',') {
                return false;
            }
            // Another name of the same field list.
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            let name_start = i;
            while i < bytes.len() && is_word(bytes[i]) {
                i += 1;
            }
            if i == name_start {
                return false;
            }
        }
    })
}

/// A function or method declaration.
#[derive(Debug, Clone)]
pub struct FunctionDecl {
    pub name: String,
    /// The receiver's type name without `*`, for a method.
    pub receiver: Option<String>,
    /// One entry per result, as written (`int`, `*os.File`, `error`).
    pub results: Vec<String>,
    /// Parameter names by position (`None` for `_` or an unnamed parameter).
    pub parameters: Vec<Option<String>>,
    /// The declaration's byte range in its file.
    pub range: std::ops::Range<usize>,
    /// The file, when read as part of a package view.
    pub file: String,
    /// Where a statement can be inserted at the top of the body: right after its `{`,
    /// when a line break follows it (a body on one line has no such place).
    pub body_open: Option<usize>,
    /// For each parameter by position, what the function does with it when it is a
    /// channel (`None` for other parameters).
    pub sender_roles: Vec<Option<SenderRole>>,
}

/// The declarations of one file.
#[derive(Debug, Default, Clone)]
pub struct Declarations {
    pub functions: HashMap<String, FunctionDecl>,
    pub methods: HashMap<String, Vec<FunctionDecl>>,
    /// `Type.field` → the field's channel type, for struct fields of channel type.
    pub channel_fields: HashMap<String, String>,
}

impl Declarations {
    fn set_file(&mut self, file: &str) {
        let all = self
            .functions
            .values_mut()
            .chain(self.methods.values_mut().flatten());
        for decl in all {
            decl.file = file.to_string();
        }
    }

    /// Reads the top-level declarations of a parsed file.
    pub fn of_file(root: Node<'_>, source: &str) -> Self {
        let mut declarations = Declarations::default();
        let mut cursor = root.walk();
        for node in root.named_children(&mut cursor) {
            match node.kind() {
                "function_declaration" | "method_declaration" => {
                    let decl = function_decl(node, source);
                    match &decl.receiver {
                        Some(_) => declarations
                            .methods
                            .entry(decl.name.clone())
                            .or_default()
                            .push(decl),
                        None => {
                            declarations.functions.insert(decl.name.clone(), decl);
                        }
                    }
                }
                "type_declaration" => declarations.add_struct_fields(node, source),
                _ => {}
            }
        }
        declarations
    }

    fn add_struct_fields(&mut self, declaration: Node<'_>, source: &str) {
        for spec in descendants_of_kind(declaration, &["type_spec"]) {
            let (Some(name), Some(ty)) = (
                spec.child_by_field_name("name"),
                spec.child_by_field_name("type"),
            ) else {
                continue;
            };
            let type_name = &source[name.byte_range()];
            if ty.kind() == "interface_type" {
                self.add_interface_methods(ty, type_name, source);
                continue;
            }
            if ty.kind() != "struct_type" {
                continue;
            }
            for field in descendants_of_kind(ty, &["field_declaration"]) {
                let Some(field_type) = field
                    .child_by_field_name("type")
                    .filter(|t| t.kind() == "channel_type")
                else {
                    continue;
                };
                for field_name in field.children_by_field_name("name", &mut field.walk()) {
                    self.channel_fields.insert(
                        format!("{type_name}.{}", &source[field_name.byte_range()]),
                        source[field_type.byte_range()].to_string(),
                    );
                }
            }
        }
    }

    /// Interface methods count as methods: a call through the interface has their results.
    fn add_interface_methods(&mut self, interface: Node<'_>, type_name: &str, source: &str) {
        for element in descendants_of_kind(interface, &["method_elem", "method_spec"]) {
            let Some(name) = element.child_by_field_name("name") else {
                continue;
            };
            let decl = FunctionDecl {
                name: source[name.byte_range()].to_string(),
                receiver: Some(type_name.to_string()),
                results: element
                    .child_by_field_name("result")
                    .map(|r| result_types(r, source))
                    .unwrap_or_default(),
                parameters: Vec::new(),
                range: element.byte_range(),
                file: String::new(),
                body_open: None,
                sender_roles: Vec::new(),
            };
            self.methods
                .entry(decl.name.clone())
                .or_default()
                .push(decl);
        }
    }

    /// The declared result types of what `callee` calls: a function of the file, a
    /// method of that name (when every method so named agrees), or a local or parameter
    /// of function type.
    pub fn callee_results(&self, callee: Node<'_>, source: &str) -> Option<Vec<String>> {
        match callee.kind() {
            "identifier" => {
                let name = &source[callee.byte_range()];
                if let Some(ty) = syntax::declared_type(callee, source, name) {
                    return func_type_results(ty);
                }
                self.functions.get(name).map(|f| f.results.clone())
            }
            "selector_expression" => {
                let field = &source[callee.child_by_field_name("field")?.byte_range()];
                let methods = self.methods.get(field)?;
                let first = methods.first()?.results.clone();
                methods.iter().all(|m| m.results == first).then_some(first)
            }
            _ => None,
        }
    }
}

fn function_decl(node: Node<'_>, source: &str) -> FunctionDecl {
    let name = node
        .child_by_field_name("name")
        .map(|n| source[n.byte_range()].to_string())
        .unwrap_or_default();
    let receiver = node.child_by_field_name("receiver").and_then(|r| {
        descendants_of_kind(r, &["type_identifier"])
            .first()
            .map(|t| source[t.byte_range()].to_string())
    });
    let parameters = crate::channels::parameter_names(node, source);
    let body_open = node
        .child_by_field_name("body")
        .map(|b| b.start_byte() + 1)
        .filter(|&at| source.as_bytes().get(at) == Some(&b'\n'));
    let sender_roles = channel_parameter_roles(node, source, &parameters);
    FunctionDecl {
        name,
        receiver,
        results: node
            .child_by_field_name("result")
            .map(|r| result_types(r, source))
            .unwrap_or_default(),
        parameters,
        range: node.byte_range(),
        file: String::new(),
        body_open,
        sender_roles,
    }
}

/// The sender role of each channel-typed parameter of a declaration.
fn channel_parameter_roles(
    node: Node<'_>,
    source: &str,
    names: &[Option<String>],
) -> Vec<Option<SenderRole>> {
    let Some(list) = node.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut roles = Vec::with_capacity(names.len());
    for declaration in list.named_children(&mut list.walk()) {
        let is_channel = declaration
            .child_by_field_name("type")
            .is_some_and(|t| t.kind() == "channel_type");
        let count = declaration
            .children_by_field_name("name", &mut declaration.walk())
            .count()
            .max(1);
        for _ in 0..count {
            let name = names.get(roles.len()).cloned().flatten();
            roles.push(
                name.filter(|_| is_channel)
                    .map(|n| sender_role(node, source, &n)),
            );
        }
    }
    roles
}

/// One type per result of a `result` node: a single type or a parameter list.
fn result_types(result: Node<'_>, source: &str) -> Vec<String> {
    if result.kind() != "parameter_list" {
        return vec![source[result.byte_range()].to_string()];
    }
    let mut types = Vec::new();
    for declaration in result.named_children(&mut result.walk()) {
        let Some(ty) = declaration.child_by_field_name("type") else {
            continue;
        };
        let names = declaration
            .children_by_field_name("name", &mut declaration.walk())
            .count()
            .max(1);
        types.extend(std::iter::repeat_n(
            source[ty.byte_range()].to_string(),
            names,
        ));
    }
    types
}

/// The result types in a function type written as text: `func(a, b) (int, error)`.
pub fn func_type_results(ty: &str) -> Option<Vec<String>> {
    let rest = ty.trim().strip_prefix("func")?;
    let mut depth = 0;
    let mut close = None;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let results = rest[close? + 1..].trim();
    if results.is_empty() {
        return Some(Vec::new());
    }
    let inner = results
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(results);
    Some(
        split_top_level(inner)
            .into_iter()
            .map(|part| {
                part.split_whitespace()
                    .last()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect(),
    )
}

fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts
}

#[cfg(test)]
mod tests {
    use super::PackageView;

    #[test]
    fn a_builtin_name_declared_anywhere_in_the_package_is_seen() {
        let view = PackageView::build(&[
            ("a.go".into(), "package a\n\nfunc send(c chan int) {\n\tc <- 1\n\tclose(c)\n}\n\nfunc own(close func()) {\n\tclose()\n}\n".into()),
            ("b.go".into(), "package a\n\nvar (\n\tx, close = 1, 2\n)\n".into()),
        ]);
        assert!(view.declares_top_level("close"));
        assert!(!view.declares_top_level("send2"));
        let a = PackageView::build(&[("a.go".into(), "package a\n\nfunc send(c chan int) {\n\tc <- 1\n}\n\nfunc own(close func()) {\n\tclose()\n}\n".into())]);
        assert!(
            !a.declares_top_level("close"),
            "a call and a parameter are not top-level"
        );
        let mut send = a.function("send").unwrap();
        send.file = "a.go".into();
        let mut own = a.function("own").unwrap();
        own.file = "a.go".into();
        assert!(!a.names_declared_in(&send).unwrap().contains("close"));
        assert!(a.names_declared_in(&own).unwrap().contains("close"));
    }

    #[test]
    fn a_channel_field_declaration_is_told_from_a_mention() {
        use super::declares_channel_field as declares;
        assert!(declares("type W struct {\n\tout   chan int\n}", "out"));
        assert!(declares("type W struct{ in, out <-chan int }", "in"));
        assert!(declares(
            "type W struct {\n\tout,\n\tin chan<- int\n}",
            "out"
        ));
        assert!(!declares("w.out <- 1\nvar c chan int", "out"));
        assert!(!declares("type W struct{ stdout chan int }", "out"));
        assert!(!declares("type W struct{ out int; c chan int }", "out"));
    }

    use super::*;
    use crate::syntax::parse_go;

    #[test]
    fn a_field_is_mentioned_as_a_whole_selector_or_key() {
        assert!(mentions_field("w.c <- 1", "c"));
        assert!(mentions_field("return &W{c: make(chan int)}", "c"));
        assert!(mentions_field("v := <-w.c\n", "c"));
        assert!(!mentions_field("w.close()\nw.cfg = x\nabc: 1", "c"));
    }

    #[test]
    fn functions_methods_and_channel_fields_are_read() {
        let source = "package p\n\ntype W struct {\n\tresults chan int\n\tdone, stop chan struct{}\n\tn int\n}\n\ntype H interface {\n\tSize() (n int64)\n}\n\nfunc (w *W) Value() (int, error) { return 0, nil }\n\nfunc open(name string) (f *File, err error) { return nil, nil }\n";
        let tree = parse_go(source).unwrap();
        let decls = Declarations::of_file(tree.root_node(), source);
        assert_eq!(decls.functions["open"].results, vec!["*File", "error"]);
        assert_eq!(decls.methods["Value"][0].receiver.as_deref(), Some("W"));
        assert_eq!(decls.channel_fields["W.results"], "chan int");
        assert_eq!(decls.channel_fields["W.stop"], "chan struct{}");
        assert!(!decls.channel_fields.contains_key("W.n"));
        assert_eq!(decls.methods["Size"][0].results, vec!["int64"]);
    }

    #[test]
    fn a_package_view_joins_the_facts_of_every_file() {
        let files = vec![
            ("w.go".to_string(), "package p\n\ntype W struct{ out chan int }\n\nfunc New() *W { return &W{out: make(chan int)} }\n".to_string()),
            ("run.go".to_string(), "package p\n\nfunc (w *W) run() {\n\tw.out <- 1\n}\n\nfunc (w *W) Start() { go w.run() }\n".to_string()),
        ];
        let view = PackageView::build(&files);
        assert_eq!(view.channel_field_types("out"), vec!["W"]);
        assert_eq!(view.events_of("out", None).len(), 2);
        assert_eq!(view.events_of("out", Some("w.go")).len(), 1);
        assert!(view.starts_method("run", None));
        assert!(!view.starts_method("run", Some("run.go")));
        assert_eq!(
            view.function("New").map(|f| f.file),
            Some("w.go".to_string())
        );
        assert!(!view.starts_method("Start", None));
        // Only sent on and made: no file receives from it, parsed or not.
        assert!(!view.may_receive("out", None));
        let receiving = PackageView::build(&[(
            "r.go".to_string(),
            "package p\n\nfunc (w *W) get() int {\n\treturn <-w.out\n}\n".to_string(),
        )]);
        assert!(receiving.may_receive("out", None));
        assert_eq!(receiving.events_of("out", None).len(), 1);
        assert!(
            receiving.may_receive("out", None),
            "the parsed file's facts agree"
        );
    }

    #[test]
    fn function_type_results_are_split() {
        assert_eq!(
            func_type_results("func(context.Context, string) (string, error)"),
            Some(vec!["string".to_string(), "error".to_string()])
        );
        assert_eq!(
            func_type_results("func(x int) (n int, m map[string]int)"),
            Some(vec!["int".to_string(), "map[string]int".to_string()])
        );
        assert_eq!(func_type_results("func()"), Some(vec![]));
    }
}
