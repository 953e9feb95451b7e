//! Load every built chapter page in headless Chromium and check what a reader sees.
//!
//! `--dump-dom` prints the DOM after the page's scripts ran (mdBook's highlighting and
//! theme code included), so this catches a page that built but renders without its
//! program output.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Problem;
use crate::book::{Book, parse_page_name};

/// The Chromium binary: `$CHROMIUM`, else the first of `chromium`, `chromium-browser`,
/// `google-chrome` found on `PATH`.
pub fn chromium() -> Option<PathBuf> {
    if let Some(c) = std::env::var_os("CHROMIUM").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(c));
    }
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
}

/// The DOM of `page` after scripts ran.
pub fn dump_dom(chromium: &Path, page: &Path) -> std::io::Result<String> {
    let profile = std::env::temp_dir().join(format!("workbook-chromium-{}", std::process::id()));
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()?;
    let _ = std::fs::remove_dir_all(&profile);
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Check one rendered chapter DOM: an output block with text, no `cmdrun error`, and an
/// `<svg>` where the page source has an unfenced (SVG) directive.
pub fn check_dom(name: &str, dom: &str, expects_svg: bool) -> Vec<Problem> {
    let mut problems = Vec::new();
    let p = |m: &str| Problem::new(name, None, m.to_string());
    if !dom.contains("</html>") {
        problems.push(p("Chromium returned no document"));
        return problems;
    }
    if dom.contains("cmdrun error") {
        problems.push(p("rendered page shows a `cmdrun error`"));
    }
    let has_output = dom.split("class=\"language-text").skip(1).any(|rest| {
        let body = rest.split_once('>').map_or("", |(_, b)| b);
        let text = body.split("</code>").next().unwrap_or("");
        text.chars().filter(|c| !c.is_whitespace()).count() > 20
    });
    if !has_output {
        problems.push(p(
            "no rendered program output block (`code.language-text` with text)",
        ));
    }
    if expects_svg && !dom.contains("<svg") {
        problems.push(p("page has an SVG directive but no <svg> rendered"));
    }
    // A Try it block must never be blank: the build-time output (file:// pages cannot
    // fetch the engine, so the script reports an error and keeps that output).
    for rest in dom.split("data-wasm-output=").skip(1) {
        let body = rest.split_once('>').map_or("", |(_, b)| b);
        let text = body.split("</pre>").next().unwrap_or("");
        if text.trim().is_empty() {
            problems.push(p("a Try it block's output element is empty"));
        }
    }
    problems
}

/// Smoke-test every chapter page of a built site in headless Chromium.
pub fn smoke(book: &Book, site: &Path) -> anyhow::Result<Vec<Problem>> {
    let chromium = chromium().ok_or_else(|| {
        anyhow::anyhow!("no Chromium found (set CHROMIUM or `apt-get install -y chromium`)")
    })?;
    let site = site.canonicalize()?;
    let mut problems = Vec::new();
    for rel in book.summary.iter().filter_map(|e| e.path.as_deref()) {
        if parse_page_name(rel).is_none() {
            continue;
        }
        let html = site.join(Path::new(rel).with_extension("html"));
        let expects_svg = book
            .page(rel)
            .map(|p| {
                p.directives()
                    .iter()
                    .any(|d| !d.fenced && !d.command.contains("--example try_it"))
            })
            .unwrap_or(false);
        let dom = dump_dom(&chromium, &html)?;
        problems.extend(check_dom(
            &format!("book/{}", Path::new(rel).with_extension("html").display()),
            &dom,
            expects_svg,
        ));
        eprintln!("xtask: smoke {rel}: {} bytes of DOM", dom.len());
    }
    problems.extend(try_it_in_browser(book, &site, &chromium)?);
    Ok(problems)
}

/// The Try it blocks in a real browser session: `tests/browser/tryit.js` serves the site on
/// 127.0.0.1, waits on each page for `data-wasm-output="ready"`, turns one knob and waits
/// for the output to change. Every chapter with an engine must get there. Skipped (with a
/// message) when the site has no wasm modules, unless `WORKBOOK_REQUIRE_TOOLS=1`.
pub fn try_it_in_browser(
    book: &Book,
    site: &Path,
    chromium: &Path,
) -> anyhow::Result<Vec<Problem>> {
    let required = std::env::var_os("WORKBOOK_REQUIRE_TOOLS").is_some_and(|v| v == "1");
    let engines = crate::wasm::chapters(&book.root)?;
    let built = engines
        .iter()
        .filter(|c| site.join("tryit").join(format!("{c}.wasm")).is_file())
        .count();
    if built < engines.len() && !required {
        eprintln!(
            "xtask: smoke: {built} of {} Try it engines are in the site; browser test skipped (`cargo xtask build` builds them when a wasm32 toolchain is found)",
            engines.len()
        );
        return Ok(Vec::new());
    }
    let modules = crate::tools::ensure_puppeteer()?;
    let status = Command::new("node")
        .arg(book.root.join("tests/browser/tryit.js"))
        .arg(site)
        .arg(chromium)
        .args(["--min-ready", &engines.len().to_string()])
        .env("WORKBOOK_NODE_MODULES", &modules)
        .status()
        .map_err(|e| anyhow::anyhow!("running node for the Try it browser test: {e}"))?;
    Ok(if status.success() {
        Vec::new()
    } else {
        vec![Problem::new(
            "tests/browser/tryit.js",
            None,
            "the Try it browser test failed (its report is above)".to_string(),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dom_checks() {
        let good = r#"<html><pre><code class="language-text hljs">| pattern | comparisons | 448870 |</code></pre><svg></svg></html>"#;
        assert!(check_dom("p", good, true).is_empty());
        let empty = r#"<html><pre><code class="language-text hljs">  </code></pre></html>"#;
        assert_eq!(check_dom("p", empty, false).len(), 1);
        let err = r#"<html><p><strong>cmdrun error</strong>: 'x' returned exit code 1</p></html>"#;
        assert_eq!(check_dom("p", err, true).len(), 3);
    }
}
