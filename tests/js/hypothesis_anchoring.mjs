// Anchors our W3C selectors the way Hypothesis' client does, with its own libraries, in jsdom.
// Reads {cases: [{text, selectors: [{id, position, quote, position16}]}]} on stdin; writes, per
// selector: what the position selector selects, where the quote anchors (with the position as
// the hint, as Hypothesis does), or the error it raises, and the quote Hypothesis would make.
import { JSDOM } from "jsdom";
import * as textPosition from "dom-anchor-text-position";
import * as textQuote from "dom-anchor-text-quote";

const input = JSON.parse(await new Promise((resolve) => {
  let data = "";
  process.stdin.on("data", (chunk) => (data += chunk));
  process.stdin.on("end", () => resolve(data));
}));

function anchor(root, { position, quote }) {
  const range = textPosition.toRange(root, position);
  const selected = range === null ? null : range.toString();
  if (selected === quote.exact) return { selected, anchored: position, by: "position" };
  try {
    const found = textQuote.toTextPosition(root, quote, { hint: position.start });
    return { selected, anchored: found, by: "quote" };
  } catch (error) {
    return { selected, anchored: null, by: "quote", error: String(error.message ?? error) };
  }
}

const results = input.cases.map(({ text, selectors }) => {
  const { document } = new JSDOM("<!doctype html><body></body>").window;
  document.body.textContent = text; // one text node: no HTML parsing of the text
  return selectors.map((selector) => ({
    id: selector.id,
    ...anchor(document.body, selector),
    made: textQuote.fromTextPosition(document.body, selector.position16),
  }));
});
process.stdout.write(JSON.stringify(results));
