//! Try it: one chapter engine, three front ends.
//!
//! A chapter describes its engine once, as an [`Engine`]: the knobs a reader may turn
//! (name, label, help, kind, default) and a pure function from knob [`Values`] to the text
//! the engine prints. That function must not touch threads, sockets, files or the wall
//! clock, so it compiles to `wasm32-unknown-unknown`. From the one description come:
//!
//! - the native program `examples/try_it.rs` ([`main`]): every knob is a `--flag` listed by
//!   `--help`, and `--html` prints the page's Try it block with the default output inside;
//! - the page's form: [`html`] writes one input per knob, so the page and the CLI can't
//!   disagree about the knobs;
//! - the wasm32 module the form calls ([`export_engine!`](crate::export_engine)): the page
//!   sends the form as `application/x-www-form-urlencoded` text and shows what comes back.
//!
//! The parity test (`tests/tryit.rs`) checks that the wasm module and the native program
//! print the same bytes for the same knobs.
//!
//! ```
//! use kit::tryit::{Engine, Knob, Kind, Values, TryItError};
//! fn run(v: &Values) -> Result<String, TryItError> {
//!     Ok(format!("{}\n", v.int("n")? * 2))
//! }
//! const ENGINE: Engine = Engine {
//!     chapter: "demo",
//!     title: "Double a number",
//!     knobs: &[Knob { name: "n", label: "n", help: "the number", kind: Kind::Int { min: 0, max: 10 }, default: "4" }],
//!     run,
//! };
//! assert_eq!(ENGINE.run_query("n=5").unwrap(), "10\n");
//! assert_eq!(ENGINE.run_query("").unwrap(), "8\n");
//! assert!(ENGINE.run_query("n=11").unwrap_err().to_string().contains("`n`"));
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What a knob accepts; the form draws the matching input and [`Values`] checks it.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A whole number in `min..=max`.
    Int {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// A decimal number in `min..=max`, stepped by `step` in the form.
    Float {
        /// Smallest accepted value.
        min: f64,
        /// Largest accepted value.
        max: f64,
        /// The form's step.
        step: f64,
    },
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// Free text (numbers to sort, YAML to diff…): a text area of `rows` lines, at most
    /// `max_bytes` long.
    Text {
        /// Height of the text area.
        rows: u8,
        /// Longest accepted text, in bytes.
        max_bytes: usize,
    },
    /// On or off.
    Bool,
}

/// One input a reader can change.
#[derive(Debug, Clone, Copy)]
pub struct Knob {
    /// The flag and form-field name (`--n`, `n=`).
    pub name: &'static str,
    /// The label the page shows next to the input.
    pub label: &'static str,
    /// One line for `--help` and the input's tooltip.
    pub help: &'static str,
    /// What the knob accepts.
    pub kind: Kind,
    /// The value the page's build-time output was computed with.
    pub default: &'static str,
}

/// A chapter's engine as the Try it block sees it.
#[derive(Debug, Clone, Copy)]
pub struct Engine {
    /// The chapter's crate name; also the `.wasm` file's name (`tryit/<chapter>.wasm`).
    pub chapter: &'static str,
    /// What the block lets the reader do, shown above the knobs.
    pub title: &'static str,
    /// The knobs, in the order the form and `--help` show them.
    pub knobs: &'static [Knob],
    /// The engine: knob values in, printed text out.
    pub run: fn(&Values) -> Result<String, TryItError>,
}

/// Why a Try it run produced no output.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TryItError {
    /// A knob's value was malformed or out of range.
    #[error("knob `{knob}`: {message}")]
    Knob {
        /// The knob's name.
        knob: String,
        /// What is wrong with its value.
        message: String,
    },
    /// The input was well-formed per knob but the engine rejected it (with where and why).
    #[error("{0}")]
    Engine(String),
}

impl TryItError {
    /// An engine error from anything printable (a chapter's own typed error).
    pub fn engine(e: impl std::fmt::Display) -> Self {
        TryItError::Engine(e.to_string())
    }

    fn knob(knob: &str, message: impl Into<String>) -> Self {
        TryItError::Knob {
            knob: knob.to_string(),
            message: message.into(),
        }
    }
}

/// Checked knob values, every knob present (defaults filled in).
#[derive(Debug, Clone)]
pub struct Values {
    map: BTreeMap<&'static str, String>,
    knobs: &'static [Knob],
}

impl Values {
    fn raw(&self, name: &str) -> Result<(&Knob, &str), TryItError> {
        let knob = self
            .knobs
            .iter()
            .find(|k| k.name == name)
            .ok_or_else(|| TryItError::knob(name, "the engine has no such knob"))?;
        Ok((
            knob,
            self.map.get(name).map_or(knob.default, String::as_str),
        ))
    }

    /// A [`Kind::Int`] knob's value.
    pub fn int(&self, name: &str) -> Result<i64, TryItError> {
        let (_, v) = self.raw(name)?;
        v.parse()
            .map_err(|_| TryItError::knob(name, format!("{v:?} is not a whole number")))
    }

    /// A [`Kind::Float`] knob's value.
    pub fn float(&self, name: &str) -> Result<f64, TryItError> {
        let (_, v) = self.raw(name)?;
        v.parse()
            .map_err(|_| TryItError::knob(name, format!("{v:?} is not a number")))
    }

    /// A [`Kind::Choice`] or [`Kind::Text`] knob's value.
    pub fn text(&self, name: &str) -> Result<&str, TryItError> {
        Ok(self.raw(name)?.1)
    }

    /// A [`Kind::Bool`] knob's value.
    pub fn bool(&self, name: &str) -> Result<bool, TryItError> {
        Ok(self.raw(name)?.1 == "true")
    }
}

fn check(knob: &Knob, value: &str) -> Result<String, TryItError> {
    let name = knob.name;
    match knob.kind {
        Kind::Int { min, max } => {
            let n: i64 = value
                .trim()
                .parse()
                .map_err(|_| TryItError::knob(name, format!("{value:?} is not a whole number")))?;
            if !(min..=max).contains(&n) {
                return Err(TryItError::knob(
                    name,
                    format!("{n} is outside {min}..={max}"),
                ));
            }
            Ok(n.to_string())
        }
        Kind::Float { min, max, .. } => {
            let x: f64 = value
                .trim()
                .parse()
                .map_err(|_| TryItError::knob(name, format!("{value:?} is not a number")))?;
            if !(min..=max).contains(&x) {
                return Err(TryItError::knob(
                    name,
                    format!("{x} is outside {min}..={max}"),
                ));
            }
            Ok(value.trim().to_string())
        }
        Kind::Choice(options) => {
            if options.contains(&value) {
                Ok(value.to_string())
            } else {
                Err(TryItError::knob(
                    name,
                    format!("{value:?} is not one of {}", options.join(", ")),
                ))
            }
        }
        Kind::Text { max_bytes, .. } => {
            if value.len() > max_bytes {
                Err(TryItError::knob(
                    name,
                    format!(
                        "{} bytes is longer than the {max_bytes} bytes this block accepts",
                        value.len()
                    ),
                ))
            } else {
                Ok(value.to_string())
            }
        }
        Kind::Bool => match value {
            "true" | "on" | "1" | "yes" => Ok("true".into()),
            "false" | "off" | "0" | "no" | "" => Ok("false".into()),
            other => Err(TryItError::knob(
                name,
                format!("{other:?} is not true or false"),
            )),
        },
    }
}

impl Engine {
    /// Check `(name, value)` pairs against the knobs; knobs not given keep their defaults.
    pub fn values<'a>(
        &self,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Values, TryItError> {
        let mut map = BTreeMap::new();
        for knob in self.knobs {
            map.insert(knob.name, check(knob, knob.default)?);
        }
        for (name, value) in pairs {
            let knob = self.knobs.iter().find(|k| k.name == name).ok_or_else(|| {
                let names: Vec<_> = self.knobs.iter().map(|k| k.name).collect();
                TryItError::knob(
                    name,
                    format!("no such knob (this engine has: {})", names.join(", ")),
                )
            })?;
            map.insert(knob.name, check(knob, value)?);
        }
        Ok(Values {
            map,
            knobs: self.knobs,
        })
    }

    /// Run the engine on a form-encoded query (`n=64&pattern=sawtooth`), as the page does.
    pub fn run_query(&self, query: &str) -> Result<String, TryItError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let values = self.values(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
        (self.run)(&values)
    }

    /// Run the engine with `(name, value)` pairs (knobs not given keep their defaults).
    pub fn run_pairs(&self, pairs: &[(&str, &str)]) -> Result<String, TryItError> {
        (self.run)(&self.values(pairs.iter().copied())?)
    }

    /// The output for the default knobs (what the page shows before the reader turns one).
    pub fn run_defaults(&self) -> Result<String, TryItError> {
        self.run_query("")
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// The page's Try it block: the knobs as a form and `output` (the engine's text for the
/// default knobs, computed at build time) in the element the page script fills.
///
/// Without JavaScript or WebAssembly the reader still sees the build-time output.
pub fn html(engine: &Engine, output: &str) -> String {
    let mut h = String::new();
    let chapter = escape(engine.chapter);
    // One line per element: mdBook passes an HTML block through untouched only while it
    // has no blank line.
    let _ = writeln!(
        h,
        "<div class=\"tryit\" data-tryit=\"{chapter}\">\n<p class=\"tryit-title\"><strong>Try it:</strong> {}</p>\n<form class=\"tryit-knobs\" autocomplete=\"off\">",
        escape(engine.title)
    );
    for knob in engine.knobs {
        let name = escape(knob.name);
        let default = escape(knob.default);
        let help = escape(knob.help);
        let label = escape(knob.label);
        let input = match knob.kind {
            Kind::Int { min, max } => format!(
                "<input type=\"number\" name=\"{name}\" value=\"{default}\" min=\"{min}\" max=\"{max}\" step=\"1\">"
            ),
            Kind::Float { min, max, step } => format!(
                "<input type=\"number\" name=\"{name}\" value=\"{default}\" min=\"{min}\" max=\"{max}\" step=\"{step}\">"
            ),
            Kind::Choice(options) => {
                let mut s = format!("<select name=\"{name}\">");
                for o in options {
                    let sel = if *o == knob.default { " selected" } else { "" };
                    let o = escape(o);
                    let _ = write!(s, "<option value=\"{o}\"{sel}>{o}</option>");
                }
                s.push_str("</select>");
                s
            }
            Kind::Text { rows, max_bytes } => format!(
                "<textarea name=\"{name}\" rows=\"{rows}\" maxlength=\"{max_bytes}\" spellcheck=\"false\">{}</textarea>",
                // a textarea keeps newlines; a blank line would end mdBook's HTML block
                default.replace("\n\n", "\n&#10;")
            ),
            Kind::Bool => {
                let checked = if knob.default == "true" {
                    " checked"
                } else {
                    ""
                };
                format!("<input type=\"checkbox\" name=\"{name}\" value=\"true\"{checked}>")
            }
        };
        let wide = if matches!(knob.kind, Kind::Text { .. }) {
            " class=\"tryit-wide\""
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<label{wide} title=\"{help}\"><span>{label}</span>{input}</label>"
        );
    }
    let _ = writeln!(
        h,
        "</form>\n<p class=\"tryit-status\" aria-live=\"polite\">Output computed when the book was built. With JavaScript on, the chapter's engine runs here, in your browser.</p>"
    );
    // Blank lines inside the <pre> would end the HTML block: encode them.
    let body = escape(output.trim_end_matches('\n')).replace("\n\n", "\n&#10;");
    let _ = writeln!(
        h,
        "<pre class=\"tryit-output\" data-wasm-output=\"static\">{body}</pre>\n</div>"
    );
    h
}

/// The native `try_it` program: knobs as `--flags`, `--help` lists them, `--html` prints
/// the page's block. Exit status 2 on a bad knob or input, with the reason on stderr.
#[cfg(not(target_arch = "wasm32"))]
pub fn main(engine: &Engine) -> std::process::ExitCode {
    use clap::{Arg, ArgAction, Command};
    let mut cmd = Command::new("try_it").about(engine.title).arg(
        Arg::new("html")
            .long("html")
            .action(ArgAction::SetTrue)
            .help("print the page's Try it block (HTML) instead of plain text"),
    );
    for knob in engine.knobs {
        let range = match knob.kind {
            Kind::Int { min, max } => format!(" [{min}..={max}]"),
            Kind::Float { min, max, .. } => format!(" [{min}..={max}]"),
            Kind::Choice(o) => format!(" [{}]", o.join("|")),
            Kind::Text { max_bytes, .. } => format!(" [text, up to {max_bytes} bytes]"),
            Kind::Bool => " [true|false]".into(),
        };
        cmd = cmd.arg(
            Arg::new(knob.name)
                .long(knob.name)
                .value_name("VALUE")
                .help(format!("{}{range}", knob.help))
                .default_value(knob.default)
                .hide_default_value(matches!(knob.kind, Kind::Text { .. })),
        );
    }
    let matches = cmd.get_matches();
    let given: Vec<(&str, String)> = engine
        .knobs
        .iter()
        .filter(|k| matches.value_source(k.name) == Some(clap::parser::ValueSource::CommandLine))
        .filter_map(|k| {
            matches
                .get_one::<String>(k.name)
                .map(|v| (k.name, v.clone()))
        })
        .collect();
    let result = engine
        .values(given.iter().map(|(k, v)| (*k, v.as_str())))
        .and_then(|v| (engine.run)(&v));
    match result {
        Ok(out) if matches.get_flag("html") => {
            crate::print!("{}", html(engine, &out));
            std::process::ExitCode::SUCCESS
        }
        Ok(out) => {
            crate::print!("{out}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

/// The wasm32 side of an engine: a few exported functions the page script calls.
///
/// Protocol (bytes through the module's memory, no bindings generator):
/// `tryit_input(len)` returns where to write `len` bytes of form-encoded knobs;
/// `tryit_run()` runs the engine and returns 0 (output) or 1 (error message);
/// `tryit_output()` / `tryit_output_len()` locate that text (UTF-8).
#[doc(hidden)]
pub mod abi {
    use super::Engine;
    use std::sync::Mutex;

    static INPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());
    static OUTPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

    /// Make room for `len` input bytes and say where they go.
    pub fn input(len: usize) -> *mut u8 {
        let mut buf = INPUT.lock().unwrap_or_else(|e| e.into_inner());
        buf.clear();
        buf.resize(len, 0);
        buf.as_mut_ptr()
    }

    /// Run `engine` on the input; 0 = output, 1 = error message.
    pub fn run(engine: &Engine) -> u32 {
        let input = INPUT.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let (status, text) = match std::str::from_utf8(&input) {
            Err(e) => (1, format!("the knobs are not UTF-8 text: {e}")),
            Ok(query) => match engine.run_query(query) {
                Ok(out) => (0, out),
                Err(e) => (1, e.to_string()),
            },
        };
        *OUTPUT.lock().unwrap_or_else(|e| e.into_inner()) = text.into_bytes();
        status
    }

    /// Where the last output starts.
    pub fn output() -> *const u8 {
        OUTPUT.lock().unwrap_or_else(|e| e.into_inner()).as_ptr()
    }

    /// How long the last output is, in bytes.
    pub fn output_len() -> usize {
        OUTPUT.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Export an [`Engine`] from a wasm32 `cdylib` (the `tryit` crate, one chapter per build).
/// On other targets it expands to nothing.
#[macro_export]
macro_rules! export_engine {
    ($engine:expr) => {
        #[cfg(target_arch = "wasm32")]
        mod __tryit_exports {
            // SAFETY (all four): `no_mangle` is needed so the page script can find these
            // functions by name; the names are unique in the module because the `tryit`
            // crate exports exactly one engine per build (two would fail to link).
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub extern "C" fn tryit_input(len: usize) -> *mut u8 {
                $crate::tryit::abi::input(len)
            }
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub extern "C" fn tryit_run() -> u32 {
                $crate::tryit::abi::run(&$engine)
            }
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub extern "C" fn tryit_output() -> *const u8 {
                $crate::tryit::abi::output()
            }
            #[allow(unsafe_code)]
            #[unsafe(no_mangle)]
            pub extern "C" fn tryit_output_len() -> usize {
                $crate::tryit::abi::output_len()
            }
        }
    };
}
