// Parse Mermaid diagrams with mermaid's own parser (the one GitHub's renderer runs).
// Usage: node mermaid_parse.mjs FILE...  (run with NODE_PATH-free cwd = the install prefix)
// Prints one JSON line per file: {"file", "ok", "type"} or {"file", "ok": false, "error"}.
// mermaid needs a DOM at import time (DOMPurify); jsdom provides one, nothing is rendered.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(pathToFileURL(process.cwd() + '/'));
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import(pathToFileURL(require.resolve('mermaid')).href)).default;

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  try {
    const parsed = await mermaid.parse(text);
    console.log(JSON.stringify({ file, ok: true, type: parsed.diagramType }));
  } catch (error) {
    console.log(JSON.stringify({ file, ok: false, error: String(error.message).split('\n')[0] }));
  }
}
