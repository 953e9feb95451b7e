// The pages' Try it blocks: run the chapter's own engine, compiled to wasm32, in the
// reader's browser. Each block (`div.tryit[data-tryit=<chapter>]`, written by
// `kit::tryit::html`) holds a form of knobs and a <pre data-wasm-output> that starts with
// the output computed when the book was built. This script loads
// `tryit/<chapter>.wasm`, runs it with the form's values and replaces that output; it
// sets data-wasm-output to "ready" or, with a readable message, to "error". Without
// JavaScript or without the .wasm file the build-time output stays.
//
// The same file is loaded by Node.js in the parity test (tests/tryit.rs), through
// `module.exports`.
(function (root) {
  "use strict";

  // Instantiate a module's bytes; returns run(query) -> {ok, text}.
  async function instantiate(bytes) {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    const e = instance.exports;
    for (const name of ["memory", "tryit_input", "tryit_run", "tryit_output", "tryit_output_len"]) {
      if (!(name in e)) throw new Error("the module has no export named " + name);
    }
    const encoder = new TextEncoder();
    const decoder = new TextDecoder("utf-8", { fatal: true });
    return function run(query) {
      const bytes = encoder.encode(query);
      const at = e.tryit_input(bytes.length);
      new Uint8Array(e.memory.buffer, at, bytes.length).set(bytes);
      let status;
      try {
        status = e.tryit_run();
      } catch (err) {
        // a panic aborts the run (panic = "abort" traps); say so rather than show nothing
        return { ok: false, text: "the engine stopped with an internal error (" + err.message + "); this is a bug in the chapter's engine, please report it with the knobs you used" };
      }
      const out = new Uint8Array(e.memory.buffer, e.tryit_output(), e.tryit_output_len());
      return { ok: status === 0, text: decoder.decode(out.slice()) };
    };
  }

  // Browser: wire every block on the page.
  function formQuery(form) {
    const params = new URLSearchParams();
    for (const el of form.elements) {
      if (!el.name) continue;
      if (el.type === "checkbox") params.append(el.name, el.checked ? "true" : "false");
      else params.append(el.name, el.value);
    }
    return params.toString();
  }

  async function wire(block) {
    const chapter = block.dataset.tryit;
    const form = block.querySelector("form.tryit-knobs");
    const output = block.querySelector("[data-wasm-output]");
    const status = block.querySelector(".tryit-status");
    if (!form || !output) return;
    const base = typeof path_to_root === "string" ? path_to_root : "";
    const url = base + "tryit/" + encodeURIComponent(chapter) + ".wasm";
    const buildTime = output.textContent;
    function fail(message) {
      output.dataset.wasmOutput = "error";
      output.textContent = message + "\n\nThe output the book was built with:\n\n" + buildTime;
      if (status) status.textContent = "The engine could not run in this browser; showing the build-time output.";
    }
    let run;
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error("fetching " + url + " answered HTTP " + response.status + " (the book was built without its wasm engines: run `cargo xtask wasm`)");
      run = await instantiate(await response.arrayBuffer());
    } catch (err) {
      fail("Could not load this chapter's engine: " + err.message);
      return;
    }
    function update() {
      const t0 = performance.now();
      const result = run(formQuery(form));
      const ms = performance.now() - t0;
      output.textContent = result.ok ? result.text : "error: " + result.text;
      output.dataset.wasmOutput = result.ok ? "ready" : "error";
      output.classList.toggle("tryit-error", !result.ok);
      if (status) {
        status.textContent = (result.ok ? "Computed in your browser by the chapter's engine (WebAssembly) in " : "The engine rejected these knobs (" ) + ms.toFixed(1) + " ms" + (result.ok ? "." : "): fix the value named above.");
      }
      block.dataset.lastMs = ms.toFixed(2);
      if (!block.dataset.readyMs) block.dataset.readyMs = performance.now().toFixed(0);
    }
    let pending = 0;
    form.addEventListener("input", function () {
      // typing in a text area: wait for a short pause; other knobs answer at once
      clearTimeout(pending);
      pending = setTimeout(update, 60);
    });
    form.addEventListener("change", function () { clearTimeout(pending); update(); });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); update(); });
    update();
  }

  const api = { instantiate: instantiate };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.WorkbookTryit = api;
    const start = function () { document.querySelectorAll("div.tryit[data-tryit]").forEach(wire); };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})(this);
