//! Writing the answer. The LLM is a trait: the default [`OfflineSynthesiser`] writes
//! deterministic text from the findings; [`openai::OpenAiCompatible`] asks any
//! OpenAI-compatible endpoint. Either way the engine computed every figure, and an LLM
//! answer that cites a record it wasn't given, or states a number that isn't in the
//! evidence, is rejected ([`validate`]) and the offline answer is used instead.

#[cfg(not(target_arch = "wasm32"))]
pub mod mock;
#[cfg(not(target_arch = "wasm32"))]
pub mod openai;

use std::future::Future;
use std::pin::Pin;

use crate::engine::Findings;

/// A boxed future, so the trait stays object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What an LLM is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prompt {
    /// Instructions.
    pub system: String,
    /// Question and evidence.
    pub user: String,
}

/// Something that writes an answer.
pub trait Llm: Send + Sync {
    /// Its name, for the output.
    fn name(&self) -> String;
    /// Write the answer to `findings.question`, given the evidence in `prompt`.
    fn complete<'a>(
        &'a self,
        findings: &'a Findings,
        prompt: &'a Prompt,
    ) -> BoxFuture<'a, Result<String, String>>;
}

/// `USD 1,234.50`, `640,000 C62`, `4`.
pub fn format_value(value: crate::dec::Dec, unit: &str) -> String {
    match unit {
        "USD" => format!("USD {}", value.to_grouped(2)),
        "count" => value.to_grouped(0),
        "C62" => format!("{} pieces (C62)", value.to_grouped(0)),
        "KGM" => format!("{} kg (KGM)", value.to_grouped(3)),
        _ => value.to_grouped(2),
    }
}

/// The evidence lines every answer must be built from: each figure with its citations.
pub fn evidence(f: &Findings) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(d) = &f.denied {
        lines.push(d.clone());
        return lines;
    }
    for r in &f.rows {
        let mut l = format!(
            "{}: {}",
            r.label,
            format_value(r.value, if f.unit == "part" { "USD" } else { &f.unit })
        );
        if let (Some(n), Some((rate, date))) = (&r.native, &r.rate)
            && n.currency != "USD"
        {
            l.push_str(&format!(
                " (from {} {} at {} USD/{} of {date})",
                n.currency,
                n.amount.to_grouped(2),
                rate.to_trimmed(),
                n.currency
            ));
        }
        if let Some(d) = r.as_of {
            l.push_str(&format!(", as of {d}"));
        }
        l.push(' ');
        l.push_str(&r.citations.join(" "));
        lines.push(l);
    }
    for m in &f.missing {
        lines.push(format!(
            "MISSING {} ({}, source {}): {}",
            crate::config::division_name(&m.division),
            m.system,
            m.source,
            m.reason
        ));
    }
    for p in &f.passages {
        lines.push(format!("{} {}", p.citation, p.text));
    }
    for n in &f.notes {
        lines.push(format!("NOTE {n}"));
    }
    if let (Some(d), false) = (f.fx_date, f.fx_rates.is_empty()) {
        lines.push(format!("FX {}", fx_sentence(f, d)));
    }
    lines
}

fn fx_sentence(f: &Findings, d: crate::dec::Date) -> String {
    let rates: Vec<String> = f
        .fx_rates
        .iter()
        .map(|(c, r)| format!("{c} {}", r.to_trimmed()))
        .collect();
    format!(
        "Translated at the closing rates of {d} (USD per unit: {}).",
        rates.join(", ")
    )
}

/// The prompt for an LLM.
pub fn prompt(f: &Findings) -> Prompt {
    let mut user = format!("Question: {}\n", f.question);
    if f.route.query.is_some() {
        user.push_str(&format!("Computed: {}\n", f.headline));
    }
    user.push_str("\nEvidence:\n");
    for l in evidence(f) {
        user.push_str(&format!("- {l}\n"));
    }
    if let Some(t) = f.total {
        user.push_str(&format!(
            "- TOTAL: {}\n",
            crate::answer::format_value(t, &f.unit)
        ));
    } else if !f.missing.is_empty() && !f.rows.is_empty() {
        // The offline text states this subtotal (labelled as not the company figure),
        // so it belongs to the evidence an answer is checked against.
        let sub: crate::dec::Dec = f.rows.iter().map(|r| r.value).sum();
        user.push_str(&format!(
            "- SUBTOTAL of the divisions that answered, NOT the company figure: {}\n",
            crate::answer::format_value(sub, &f.unit)
        ));
    }
    Prompt {
        system: "You answer questions about GlobalTech's ERP data using ONLY the evidence \
                 given. Copy every figure exactly as written and cite it with the \
                 [system:table:key] tags that follow it. Do not compute new numbers. If a \
                 division is MISSING, say so and do not present a company total."
            .into(),
        user,
    }
}

/// Problems with an answer: citations not in the evidence, numbers not in the evidence.
///
/// ```
/// use erp_rag::answer::validate;
/// let ev = "Germany: USD 4,121,612.40 [r3-de:MB52:4711/DE01]";
/// assert!(validate("Germany holds USD 4,121,612.40 [r3-de:MB52:4711/DE01].", ev).is_empty());
/// assert_eq!(validate("About USD 4.2 million [r3-de:MB52:9999/DE01].", ev).len(), 2);
/// ```
pub fn validate(answer: &str, evidence_text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let cites = |t: &str| -> Vec<String> {
        let mut v = Vec::new();
        let mut rest = t;
        while let Some(i) = rest.find('[') {
            let Some(j) = rest[i..].find(']') else { break };
            let inner = &rest[i + 1..i + j];
            if inner.matches(':').count() >= 2 {
                v.push(inner.to_string());
            }
            rest = &rest[i + j + 1..];
        }
        v
    };
    let known = cites(evidence_text);
    for c in cites(answer) {
        if !known.contains(&c) {
            problems.push(format!("cites [{c}], which is not in the evidence"));
        }
    }
    let strip_cites = |t: &str| {
        let mut out = String::new();
        let mut depth = 0;
        for ch in t.chars() {
            match ch {
                '[' => depth += 1,
                ']' if depth > 0 => depth -= 1,
                _ if depth == 0 => out.push(ch),
                _ => {}
            }
        }
        out
    };
    let numbers = |t: &str| -> Vec<String> {
        let t = strip_cites(t);
        let mut v = Vec::new();
        let mut cur = String::new();
        for ch in t.chars().chain(std::iter::once(' ')) {
            if ch.is_ascii_digit() || (!cur.is_empty() && (ch == ',' || ch == '.')) {
                cur.push(ch);
            } else if !cur.is_empty() {
                let n: String = cur.trim_end_matches([',', '.']).replace(',', "");
                v.push(n);
                cur.clear();
            }
        }
        v
    };
    let ev_numbers = numbers(evidence_text);
    for n in numbers(answer) {
        if !ev_numbers.contains(&n) {
            problems.push(format!("states {n}, which is not in the evidence"));
        }
    }
    problems
}

/// The default: deterministic text from the findings, no model.
#[derive(Clone, Copy, Debug, Default)]
pub struct OfflineSynthesiser;

impl Llm for OfflineSynthesiser {
    fn name(&self) -> String {
        "offline synthesiser".into()
    }

    fn complete<'a>(
        &'a self,
        f: &'a Findings,
        _prompt: &'a Prompt,
    ) -> BoxFuture<'a, Result<String, String>> {
        Box::pin(async move { Ok(offline_text(f)) })
    }
}

/// The offline synthesiser's text.
pub fn offline_text(f: &Findings) -> String {
    if let Some(d) = &f.denied {
        return d.clone();
    }
    let mut out = String::new();
    if f.route.query.is_none() {
        if f.passages.is_empty() {
            out.push_str("No record matches the question.");
        } else {
            out.push_str("The most relevant records:\n");
            for p in &f.passages {
                out.push_str(&format!("- {} {}\n", p.text, p.citation));
            }
        }
    } else if f.unit == "part" {
        out.push_str(&format!("{}:\n", capitalise(&f.headline)));
        for r in &f.rows {
            out.push_str(&format!(
                "- {} {}: {} {}\n",
                r.label,
                r.system,
                format_value(r.value, "USD"),
                r.citations.join(" ")
            ));
        }
    } else {
        match f.total {
            Some(t) => out.push_str(&format!(
                "{}: {}.",
                capitalise(&f.headline),
                format_value(t, &f.unit)
            )),
            None if f.rows.is_empty() && f.missing.is_empty() => out.push_str(&format!(
                "{}: no matching records.",
                capitalise(&f.headline)
            )),
            None => out.push_str(&format!(
                "{}: NO TOTAL. The answer would be incomplete.",
                capitalise(&f.headline)
            )),
        }
        if f.unit == "USD"
            && !f.fx_rates.is_empty()
            && let Some(d) = f.fx_date
        {
            out.push(' ');
            out.push_str(&fx_sentence(f, d));
        }
        out.push('\n');
        for l in evidence(f) {
            if !l.starts_with("MISSING") && !l.starts_with("NOTE") && !l.starts_with("FX ") {
                out.push_str(&format!("- {l}\n"));
            }
        }
        for m in &f.missing {
            out.push_str(&format!(
                "- MISSING {}: {} (source {}) did not answer: {}.\n",
                crate::config::division_name(&m.division),
                m.system,
                m.source,
                m.reason
            ));
        }
        if !f.missing.is_empty() && !f.rows.is_empty() {
            let sub: crate::dec::Dec = f.rows.iter().map(|r| r.value).sum();
            out.push_str(&format!(
                "The divisions that answered add up to {}; that is NOT the company \
                 figure.\n",
                format_value(sub, &f.unit)
            ));
        }
        for n in &f.notes {
            out.push_str(&format!("Note: {n}\n"));
        }
    }
    out.trim_end().to_string()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// An answer with the name of whoever wrote it and anything rejected on the way.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Written {
    /// The answer text.
    pub text: String,
    /// Who wrote it.
    pub by: String,
    /// Why an LLM's answer was rejected, if it was.
    pub rejected: Vec<String>,
}

/// Ask `llm`; fall back to the offline text if it fails or its answer doesn't check out.
pub async fn write(llm: &dyn Llm, f: &Findings) -> Written {
    let p = prompt(f);
    let reply = llm.complete(f, &p).await;
    judge(&llm.name(), reply, f, &p)
}

/// [`write()`] with the [`OfflineSynthesiser`], without an executor: its reply is ready at
/// once, and it is checked the same way.
pub fn write_offline(f: &Findings) -> Written {
    let llm = OfflineSynthesiser;
    judge(&llm.name(), Ok(offline_text(f)), f, &prompt(f))
}

/// Check an LLM's `reply` (by `name`) to prompt `p` against the evidence: keep it if it
/// checks out, otherwise the offline text, with the reasons.
pub fn judge(name: &str, reply: Result<String, String>, f: &Findings, p: &Prompt) -> Written {
    let offline = || offline_text(f);
    match reply {
        Ok(text) => {
            let mut problems = validate(&text, &format!("{}\n{}", p.user, f.question));
            if f.total.is_none() && !f.missing.is_empty() {
                for m in &f.missing {
                    if !text.contains(crate::config::division_name(&m.division)) {
                        problems.push(format!(
                            "does not name the missing division {}",
                            crate::config::division_name(&m.division)
                        ));
                    }
                }
            }
            if problems.is_empty() {
                Written {
                    text,
                    by: name.to_string(),
                    rejected: Vec::new(),
                }
            } else {
                Written {
                    text: offline(),
                    by: format!("offline synthesiser (answer of {name} rejected)"),
                    rejected: problems,
                }
            }
        }
        Err(e) => Written {
            text: offline(),
            by: format!("offline synthesiser ({name} failed)"),
            rejected: vec![e],
        },
    }
}
