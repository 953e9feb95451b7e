// Parity helper for tests/tryit.rs: run a Try it engine with Node.js through the same
// loader the pages use (theme/tryit.js).
// usage: node tests/tryit-run.js <module.wasm> <form-encoded query>
// prints the engine's output on stdout (exit 0) or its error on stderr (exit 2).
"use strict";
const fs = require("fs");
const path = require("path");
const { instantiate } = require(path.join(__dirname, "..", "theme", "tryit.js"));

async function main() {
  const [wasm, query = ""] = process.argv.slice(2);
  const run = await instantiate(fs.readFileSync(wasm));
  const result = run(query);
  if (result.ok) {
    process.stdout.write(result.text);
  } else {
    process.stderr.write("error: " + result.text + "\n");
    process.exitCode = 2;
  }
}
main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + "\n");
  process.exitCode = 1;
});
