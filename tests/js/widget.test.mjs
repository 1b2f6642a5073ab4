// The annotator's drawing rules, run in Node's test runner: every annotation keeps one lane for
// all of its text, overlapping ones never share a lane, and every label's line pattern differs.
import assert from "node:assert/strict";
import { test } from "node:test";

import { assignLanes, cuts, line } from "../../src/corpus_tools/annotate/widget.js";

const span = (id, start, end) => ({ id, start, end });

test("overlapping spans get different lanes, disjoint ones share the lowest", () => {
  const spans = [span("a", 0, 20), span("b", 5, 10), span("c", 8, 30), span("d", 21, 25)];
  const lanes = assignLanes(spans);
  assert.equal(lanes.get("a"), 0);
  assert.equal(lanes.get("b"), 1);
  assert.equal(lanes.get("c"), 2); // overlaps a and b
  assert.equal(lanes.get("d"), 0); // after a ends, below c
  for (const x of spans) {
    for (const y of spans) {
      const overlap = x !== y && x.start < y.end && y.start < x.end;
      if (overlap) assert.notEqual(lanes.get(x.id), lanes.get(y.id), `${x.id} and ${y.id}`);
    }
  }
});

test("a nested span lies in its own lane, whatever the order it comes in", () => {
  const lanes = assignLanes([span("inner", 4, 6), span("outer", 0, 10)]);
  assert.deepEqual([lanes.get("outer"), lanes.get("inner")], [0, 1]);
});

test("runs are cut at every span boundary and at the keyboard selection", () => {
  assert.deepEqual(cuts("abcdefghij", [span("a", 2, 5)], [4, 7]), [0, 2, 4, 5, 7, 10]);
});

test("each label's line has its own pattern", () => {
  const patterns = ["solid", "dashed", "dotted", "dash-dot", "long-dash", "sparse"];
  const drawn = patterns.map((p) => line(p, "#0072B2"));
  assert.equal(new Set(drawn).size, patterns.length);
  assert.match(line("dashed", "#0072B2"), /repeating-linear-gradient\(90deg, #0072B2 0px 6px/);
});
