// Parses every ```mermaid block of the Markdown files given with Mermaid's
// own parser (mermaid.parse), the code a renderer such as GitHub's runs
// first. jsdom stands in for the browser's DOM, which mermaid's module
// expects at import; nothing is rendered and nothing is downloaded.
//
// usage: node check.mjs FILE.md...
// Prints one line per diagram (`ok FILE: TYPE` or `FAIL FILE: reason`) and
// a count; exits 1 if any diagram fails or no file holds a diagram.
import { JSDOM } from "jsdom";
import { readFileSync } from "node:fs";

const dom = new JSDOM("<!DOCTYPE html><body></body>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
// Labels with HTML (`<br/>`) go through DOMPurify, which looks these up as
// globals, as in a browser.
for (const name of ["Element", "HTMLElement", "Node", "NodeFilter", "DocumentFragment",
                    "DOMParser", "HTMLTemplateElement", "NamedNodeMap", "navigator"]) {
  if (!(name in globalThis)) globalThis[name] = dom.window[name];
}
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

let blocks = 0;
let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const fence = /^```mermaid\n([\s\S]*?)^```/gm;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    blocks++;
    try {
      const parsed = await mermaid.parse(m[1]);
      console.log(`ok ${file}: ${parsed.diagramType}`);
    } catch (e) {
      failed++;
      const reason = String(e?.message ?? e).split("\n").slice(0, 4).join(" | ");
      console.log(`FAIL ${file}: ${reason}`);
    }
  }
}
console.log(`${blocks} diagram(s), ${failed} failed`);
process.exit(failed > 0 || blocks === 0 ? 1 : 0);
