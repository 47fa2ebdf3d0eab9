// Scratch: how many files/bytes pass each rule's prefilter (not committed).
use leakfix_transforms::rules::RULES;
use std::io::BufRead;
fn main() {
    let mut per = vec![(0usize, 0usize); RULES.len()];
    let mut any = (0usize, 0usize);
    let mut only = vec![(0usize, 0usize); RULES.len()];
    let t0 = std::time::Instant::now();
    let mut scan = std::time::Duration::ZERO;
    let verbose = std::env::args().nth(1);
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
        let s = std::time::Instant::now();
        let pass: Vec<bool> = RULES
            .iter()
            .map(|r| {
                (r.triggers.is_empty() || r.triggers.iter().any(|t| text.contains(t)))
                    && (r.prefilter)(&text)
            })
            .collect();
        scan += s.elapsed();
        for (i, p) in pass.iter().enumerate() {
            if *p {
                per[i].0 += 1;
                per[i].1 += text.len();
            }
        }
        let n = pass.iter().filter(|p| **p).count();
        if n > 0 || text.contains("leakfix") {
            any.0 += 1;
            any.1 += text.len();
        }
        if n == 1 {
            let i = pass.iter().position(|p| *p).unwrap();
            only[i].0 += 1;
            only[i].1 += text.len();
            if verbose.as_deref() == Some(RULES[i].id) {
                println!("{path}");
            }
        }
    }
    if verbose.is_some() {
        return;
    }
    for (i, r) in RULES.iter().enumerate() {
        println!(
            "{:24} pass {:5} files {:6.1} MB; only this rule {:5} files {:5.1} MB",
            r.id,
            per[i].0,
            per[i].1 as f64 / 1e6,
            only[i].0,
            only[i].1 as f64 / 1e6
        );
    }
    println!(
        "parsed: {} files {:.1} MB; scan {:?}; total {:?}",
        any.0,
        any.1 as f64 / 1e6,
        scan,
        t0.elapsed()
    );
}
