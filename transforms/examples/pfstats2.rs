// Scratch: candidate prefilters (not committed).
use leakfix_transforms::prefilter::{declarations, Declaration};
use leakfix_transforms::rules::RULES;
use std::io::BufRead;
fn has_field_send(text: &str) -> bool {
    text.match_indices(" <- ").any(|(at, _)| {
        text[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '(' | ')'))
            .any(|c| c == '.')
    })
}
fn main() {
    let names = [
        "RU",
        "UB",
        "BS",
        "union-new",
        "union-old",
        "UBnoret",
        "union-noret",
        "fieldsend",
        "union-noret-nolc",
    ];
    let mut tot = vec![(0usize, 0usize); names.len()];
    for line in std::io::stdin().lock().lines() {
        let path = line.unwrap();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let head = &text[..text.len().min(65536)];
        if head
            .lines()
            .take_while(|l| !l.starts_with("package "))
            .any(|l| l.starts_with("// Code generated ") && l.trim_end().ends_with(" DO NOT EDIT."))
        {
            continue;
        }
        let old: Vec<bool> = RULES
            .iter()
            .map(|r| {
                (r.triggers.is_empty() || r.triggers.iter().any(|t| text.contains(t)))
                    && (r.prefilter)(&text)
            })
            .collect();
        let d = declarations(&text);
        let any = |f: &dyn Fn(&Declaration) -> bool| d.iter().any(|x| f(x));
        let ru = old[3] && any(&|x| x.make && x.chan && (x.range || (x.arrow && x.go)));
        let ub =
            old[2] && (has_field_send(&text) || any(&|x| x.make && x.chan && (x.go || x.return_)));
        let bs = old[4]
            && (any(&|x| x.go && x.func && x.for_ && x.arrow)
                || (text.contains(" <- ") && text.contains("go ") && any(&|x| x.chan && x.arrow)));
        let others = old[0] || old[1] || old[5] || old[6] || text.contains("leakfix");
        let ub2 = old[2] && (has_field_send(&text) || any(&|x| x.make && x.chan && x.go));
        let others2 = old[0] || old[1] || old[5] || text.contains("leakfix");
        let v = [
            ru,
            ub,
            bs,
            ru || ub || bs || others,
            old.iter().any(|x| *x) || text.contains("leakfix"),
            ub2,
            ru || ub2 || bs || others,
            old[2] && has_field_send(&text),
            ru || ub2 || bs || others2,
        ];
        for (i, p) in v.iter().enumerate() {
            if *p {
                tot[i].0 += 1;
                tot[i].1 += text.len();
            }
        }
    }
    for (i, n) in names.iter().enumerate() {
        println!(
            "{n:10} {:5} files {:6.1} MB",
            tot[i].0,
            tot[i].1 as f64 / 1e6
        );
    }
}
