// Browser test of the Try it blocks: serve the built book over HTTP on 127.0.0.1, open
// every chapter page in headless Chromium (driven by puppeteer-core), wait for the
// engine's output (data-wasm-output="ready"), then change one knob the way a reader does
// (pick another option, type another number, tick a box) and wait for the output to
// change. Prints one row per page with the timings, and fails when a block errors, when a
// knob change shows no new output, or when fewer than --min-ready pages got ready.
//
// usage: node tests/browser/tryit.js <book dir> <chromium> [--min-ready N]
// needs: NODE_PATH (or WORKBOOK_NODE_MODULES) pointing at a node_modules with puppeteer-core
// (`cargo xtask smoke` installs it into the tool cache and runs this).
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");

const modules = process.env.WORKBOOK_NODE_MODULES;
const puppeteer = require(modules ? path.join(modules, "puppeteer-core") : "puppeteer-core");

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".wasm": "application/wasm", ".svg": "image/svg+xml", ".json": "application/json",
  ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".png": "image/png",
  ".ico": "image/x-icon", ".txt": "text/plain",
};

function serve(dir) {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = path.join(dir, path.normalize(url).replace(/^([/\\])+/, ""));
    if (!file.startsWith(dir)) { res.writeHead(403); res.end(); return; }
    fs.readFile(file, (err, data) => {
      if (err) { res.writeHead(404); res.end("not found"); return; }
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function turnAKnob(page) {
  // Try the knobs in form order until one changes the output (some knobs matter only with
  // others, e.g. a seed for an ordered pattern). Text areas come last.
  const knobs = await page.$$eval(".tryit form.tryit-knobs [name]", (els) =>
    els.map((el) => ({
      name: el.name, tag: el.tagName.toLowerCase(), type: el.type || "",
      value: el.value, min: el.min, max: el.max, step: el.step,
      options: el.tagName === "SELECT" ? Array.from(el.options).map((o) => o.value) : [],
    })));
  knobs.sort((a, b) => (a.tag === "textarea") - (b.tag === "textarea"));
  for (const k of knobs) {
    const sel = `.tryit form.tryit-knobs [name="${k.name}"]`;
    const before = await page.$eval("[data-wasm-output]", (el) => el.textContent);
    let to;
    const t0 = Date.now();
    if (k.tag === "select") {
      to = k.options.find((o) => o !== k.value);
      if (to === undefined) continue;
      await page.select(sel, to);
    } else if (k.type === "checkbox") {
      to = "toggled";
      await page.click(sel);
    } else if (k.type === "number") {
      const step = Number(k.step) > 0 ? Number(k.step) : 1;
      let v = Number(k.value) + step;
      if (k.max !== "" && v > Number(k.max)) v = Number(k.value) - step;
      to = String(Number(v.toFixed(6)));
      await page.click(sel, { clickCount: 3 });
      await page.keyboard.type(to);
      await page.keyboard.press("Tab");
    } else if (k.tag === "textarea" || k.type === "text") {
      to = "(edited)";
      await page.click(sel);
      await page.keyboard.press("End");
      await page.keyboard.type(k.tag === "textarea" ? "\n" : " ");
      await page.keyboard.press("Tab");
    } else continue;
    try {
      await page.waitForFunction(
        (b) => { const el = document.querySelector("[data-wasm-output]"); return el.textContent !== b; },
        { timeout: 3000 }, before);
    } catch (_) {
      continue; // this knob alone did not change the output; try the next
    }
    const state = await page.$eval("[data-wasm-output]", (el) => el.dataset.wasmOutput);
    const engineMs = await page.$eval(".tryit", (el) => Number(el.dataset.lastMs));
    return { knob: k.name, to, state, engineMs, roundTripMs: Date.now() - t0 };
  }
  return null;
}

async function main() {
  const args = process.argv.slice(2);
  const dir = path.resolve(args[0] || "book");
  const chromium = args[1] || process.env.CHROMIUM || "chromium";
  const minIdx = args.indexOf("--min-ready");
  const minReady = minIdx >= 0 ? Number(args[minIdx + 1]) : 1;
  const pages = fs.readdirSync(dir).filter((f) => /^day-\d+-.*\.html$/.test(f))
    .sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]));
  const server = await serve(dir);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const problems = [];
  let ready = 0;
  console.log("page                          ready ms  wasm KiB  knob turned        engine ms  round trip ms");
  try {
    for (const name of pages) {
      const page = await browser.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(base + name, { waitUntil: "load" });
      const hasBlock = await page.$(".tryit [data-wasm-output]");
      if (!hasBlock) {
        console.log(`${name.padEnd(30)}(no Try it block)`);
        await page.close();
        continue;
      }
      let state;
      try {
        await page.waitForFunction(() => {
          const s = document.querySelector("[data-wasm-output]").dataset.wasmOutput;
          return s === "ready" || s === "error";
        }, { timeout: 10000 });
        state = await page.$eval("[data-wasm-output]", (el) => el.dataset.wasmOutput);
      } catch (_) {
        state = "timeout";
      }
      const text = await page.$eval("[data-wasm-output]", (el) => el.textContent);
      if (state !== "ready" || !text.trim()) {
        problems.push(`${name}: data-wasm-output=${state}: ${text.slice(0, 300)}`);
        console.log(`${name.padEnd(30)}${state}`);
        await page.close();
        continue;
      }
      ready += 1;
      const readyMs = await page.$eval(".tryit", (el) => Number(el.dataset.readyMs));
      const chapter = await page.$eval(".tryit", (el) => el.dataset.tryit);
      let kib = NaN;
      try { kib = fs.statSync(path.join(dir, "tryit", chapter + ".wasm")).size / 1024; } catch (_) { /* reported as NaN */ }
      const turned = await turnAKnob(page);
      if (!turned) {
        problems.push(`${name}: no knob changed the output`);
      } else if (turned.state !== "ready") {
        problems.push(`${name}: after ${turned.knob} -> ${turned.to} the block shows ${turned.state}`);
      }
      if (errors.length) problems.push(`${name}: page errors: ${errors.join("; ")}`);
      console.log(`${name.padEnd(30)}${String(readyMs).padStart(8)}  ${kib.toFixed(1).padStart(8)}  ` +
        (turned ? `${(turned.knob + "=" + turned.to).slice(0, 18).padEnd(18)} ${turned.engineMs.toFixed(1).padStart(9)}  ${String(turned.roundTripMs).padStart(13)}` : "none"));
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  console.log(`${ready} of ${pages.length} chapter pages ran their engine in the browser`);
  if (ready < minReady) problems.push(`only ${ready} pages reached data-wasm-output="ready" (need ${minReady})`);
  if (problems.length) {
    console.error("tryit browser test: " + problems.length + " problem(s)\n  " + problems.join("\n  "));
    process.exitCode = 1;
  }
}

main().catch((e) => { console.error(e && e.stack || e); process.exitCode = 1; });
