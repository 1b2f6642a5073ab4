// Front end of corpus_tools.annotate.Annotator. It shows the passage with its annotations and
// reports what the student does as messages on the widget's channel (`model.send`); Python
// carries every action out and saves it. Offsets sent to Python count UTF-16 code units, as
// JavaScript strings do.
//
// Every annotation keeps one lane (a level under the line) for all of its text, drawn with its
// label's colour and line pattern, so overlapping spans stay apart and labels differ by more
// than colour. The keyboard does everything the mouse does (see KEY_HELP).

const PATTERNS = ["solid", "dashed", "dotted", "dash-dot", "long-dash", "double", "sparse"];
const LANE = 5; // pixels between two lanes under the text
const KEY_HELP =
  "Keys: ← → move by word · Shift+← → select words · Home/End · a tag's key tags the selection · " +
  "Delete removes the annotation at the cursor · Ctrl+Z undo · PageUp/PageDown passage · Esc clears";

function send(model, request) {
  model.send(request);
}

function part(tag, className, attributes = {}) {
  const element = document.createElement(tag);
  element.className = className;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  return element;
}

function button(label, title, onClick) {
  const element = part("button", "ct-button");
  element.type = "button";
  element.textContent = label;
  element.title = title;
  element.setAttribute("aria-label", title);
  element.addEventListener("click", onClick);
  return element;
}

// A CSS background layer that draws a 3-pixel line in `colour` with the pattern's dashes.
function line(pattern, colour) {
  const dash = {
    solid: null,
    dashed: [6, 3],
    dotted: [2, 3],
    "dash-dot": [6, 2, 2, 2],
    "long-dash": [12, 4],
    double: null,
    sparse: [2, 7],
  }[pattern];
  if (!dash) return `linear-gradient(${colour}, ${colour})`;
  const stops = [];
  let at = 0;
  dash.forEach((length, i) => {
    const paint = i % 2 === 0 ? colour : "transparent";
    stops.push(`${paint} ${at}px ${at + length}px`);
    at += length;
  });
  return `repeating-linear-gradient(90deg, ${stops.join(", ")})`;
}

// A lane for every annotation: the lowest one free over its whole span, longest spans first.
function assignLanes(spans) {
  const ordered = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const lanes = new Map();
  const laneEnds = [];
  for (const span of ordered) {
    let lane = laneEnds.findIndex((end) => end <= span.start);
    if (lane < 0) lane = laneEnds.length;
    laneEnds[lane] = span.end;
    lanes.set(span.id, lane);
  }
  return lanes;
}

function cuts(text, spans, extra) {
  const found = new Set([0, text.length, ...extra]);
  for (const span of spans) {
    found.add(span.start);
    found.add(span.end);
  }
  return [...found].filter((c) => c >= 0 && c <= text.length).sort((a, b) => a - b);
}

// The passage as runs of text, each with a tint for every span that covers it and a line per
// span in that span's lane; the keyboard selection is outlined.
function renderText(container, text, spans, patternOf, selected) {
  container.replaceChildren();
  const lanes = assignLanes(spans);
  const depth = Math.max(0, ...lanes.values()) + 1;
  container.style.setProperty("--ct-lanes", String(spans.length ? depth : 0));
  const bounds = cuts(text, spans, selected ? [selected.start, selected.end] : []);
  for (let i = 0; i + 1 < bounds.length; i += 1) {
    const [from, to] = [bounds[i], bounds[i + 1]];
    const covering = spans.filter((s) => s.start <= from && to <= s.end);
    const run = document.createElement("span");
    run.textContent = text.slice(from, to);
    run.dataset.offset = String(from);
    if (selected && selected.start <= from && to <= selected.end) run.className = "ct-selected";
    if (covering.length) {
      const layers = [];
      const positions = [];
      const sizes = [];
      for (const span of covering) {
        const lane = lanes.get(span.id);
        layers.push(line(patternOf(span.tag), span.colour));
        positions.push(`0 calc(100% - ${lane * LANE}px)`);
        sizes.push("100% 3px");
        if (patternOf(span.tag) === "double") {
          layers.push(line("solid", span.colour));
          positions.push(`0 calc(100% - ${lane * LANE + 1}px)`);
          sizes.push("100% 1px");
        }
      }
      for (const span of covering) {
        layers.push(`linear-gradient(${span.colour}26, ${span.colour}26)`);
        positions.push("0 0");
        sizes.push("100% 100%");
      }
      run.style.backgroundImage = layers.join(", ");
      run.style.backgroundPosition = positions.join(", ");
      run.style.backgroundSize = sizes.join(", ");
      run.title = covering.map((s) => s.tag + (s.comment ? `: ${s.comment}` : "")).join("\n");
    }
    container.appendChild(run);
  }
}

// Offset of a DOM position inside the text container, in UTF-16 units.
function offsetIn(container, node, offset) {
  const range = document.createRange();
  range.setStart(container, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

function mouseSelection(container) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) {
    return null;
  }
  const start = offsetIn(container, range.startContainer, range.startOffset);
  const end = offsetIn(container, range.endContainer, range.endOffset);
  return start < end ? { start, end } : null;
}

function guidelinesPanel(guidelines) {
  const panel = part("details", "ct-guidelines");
  const summary = document.createElement("summary");
  summary.textContent = "Guidelines: what each label means, with examples";
  panel.append(summary);
  const list = (items) => {
    const ul = document.createElement("ul");
    for (const item of items) {
      const li = document.createElement("li");
      li.textContent = item;
      ul.append(li);
    }
    return ul;
  };
  if (guidelines.rules?.length) panel.append(list(guidelines.rules));
  if (guidelines.do_not_tag?.length) {
    const head = part("p", "ct-guide-head");
    head.textContent = "Do not tag:";
    panel.append(head, list(guidelines.do_not_tag));
  }
  for (const label of guidelines.labels || []) {
    const head = part("p", "ct-guide-head");
    head.textContent = `${label.shortcut} ${label.name}${label.mapped ? ` (${label.mapped})` : ""}`;
    const body = part("p", "ct-guide-body");
    body.textContent = label.definition;
    panel.append(head, body, list([...label.rules, ...label.examples.map((e) => `e.g. “${e}”`),
      ...label.counter.map((c) => `not “${c.text}”: ${c.why}`)]));
  }
  return panel;
}

// anywidget puts `_css` in the page; where a front end does not (Notebook 7 has been seen not
// to), the widget carries the same style sheet itself.
function ensureStyle(model, el) {
  if (getComputedStyle(el).getPropertyValue("--ct-styled").trim() === "1") return;
  const style = document.createElement("style");
  style.textContent = model.get("_css") || "";
  el.prepend(style);
}

function render({ model, el }) {
  el.classList.add("ct-annotator");
  ensureStyle(model, el);
  el.tabIndex = 0;
  el.setAttribute("role", "group");
  el.setAttribute("aria-roledescription", "annotator");
  el.dataset.lmSuppressShortcuts = "true"; // JupyterLab and Notebook 7 leave its keys alone
  const head = part("div", "ct-head", { id: `ct-head-${Math.random().toString(36).slice(2)}` });
  el.setAttribute("aria-labelledby", head.id);
  const text = part("div", "ct-text", { role: "region" });
  const legend = part("div", "ct-legend", { role: "toolbar", "aria-label": "tags" });
  const options = part("div", "ct-options");
  const comment = part("input", "ct-comment", {
    type: "text", placeholder: "comment (optional)", size: "36",
    "aria-label": "comment for the next annotation (optional)",
  });
  const tools = part("div", "ct-tools");
  const list = part("ul", "ct-list", { "aria-label": "annotations in this passage" });
  const status = part("div", "ct-status", { role: "status", "aria-live": "polite" });
  const help = part("div", "ct-help");
  help.textContent = KEY_HELP;

  let cursor = 0;
  let anchor = null;
  let pending = null;
  let guidelines = null;
  const pickers = new Map();

  const tokens = () => model.get("tokens");
  const patternOf = (tag) => {
    const index = model.get("labels").findIndex((l) => l.name === tag);
    return PATTERNS[Math.max(index, 0) % PATTERNS.length];
  };
  const keyboardSelection = () => {
    const all = tokens();
    if (!all.length) return null;
    const [a, b] = anchor === null ? [cursor, cursor] : [Math.min(anchor, cursor), Math.max(anchor, cursor)];
    return { start: all[a][0], end: all[b][1] };
  };

  function tag(name) {
    const chosen = mouseSelection(text) || pending || keyboardSelection();
    if (!chosen) {
      status.textContent = "select some words first, then choose a tag";
      return;
    }
    const attributes = {};
    for (const [attribute, select] of pickers) attributes[attribute] = select.value;
    send(model, { action: "add", start: chosen.start, end: chosen.end, tag: name,
      comment: comment.value, attributes });
    pending = null;
    anchor = null;
    comment.value = "";
    window.getSelection()?.removeAllRanges();
  }

  function deleteAtCursor() {
    const here = keyboardSelection();
    if (!here) return;
    const covering = model.get("spans").filter((s) => s.start < here.end && here.start < s.end);
    if (!covering.length) {
      status.textContent = "no annotation at the cursor to delete";
      return;
    }
    covering.sort((a, b) => (a.end - a.start) - (b.end - b.start));
    send(model, { action: "delete", id: covering[0].id });
  }

  function drawText() {
    renderText(text, model.get("passage_text"), model.get("spans"), patternOf, keyboardSelection());
    text.setAttribute("aria-label", `passage ${model.get("passage_label")}`);
  }

  function drawPickers() {
    options.replaceChildren();
    pickers.clear();
    for (const [attribute, values] of Object.entries(model.get("attributes"))) {
      const label = part("label", "ct-picker");
      label.textContent = `${attribute} `;
      const select = document.createElement("select");
      for (const value of values) {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = value;
        select.append(option);
      }
      label.append(select);
      pickers.set(attribute, select);
      options.append(label);
    }
    options.append(comment);
  }

  function draw() {
    head.textContent = model.get("passage_label");
    cursor = Math.min(cursor, Math.max(tokens().length - 1, 0));
    drawText();
    legend.replaceChildren(
      ...model.get("labels").map((label) => {
        const element = button(`${label.shortcut} ${label.name}`, `${label.name}: ${label.description}`,
          () => tag(label.name));
        element.classList.add("ct-tag");
        element.style.borderLeftColor = label.colour;
        element.style.backgroundImage = line(patternOf(label.name), label.colour);
        element.setAttribute("aria-keyshortcuts", label.shortcut);
        return element;
      }),
    );
    list.replaceChildren(
      ...model.get("spans").map((span) => {
        const item = document.createElement("li");
        item.style.borderLeftColor = span.colour;
        const words = model.get("passage_text").slice(span.start, span.end);
        const extra = Object.values(span.attributes || {}).join(", ");
        item.append(`${span.tag}${extra ? ` (${extra})` : ""}: “${words}”` +
          `${span.comment ? ` · ${span.comment}` : ""} `);
        item.append(button("delete", `delete ${span.tag} “${words}”`,
          () => send(model, { action: "delete", id: span.id })));
        return item;
      }),
    );
    status.textContent = model.get("status");
    const wanted = JSON.stringify(model.get("guidelines"));
    if (wanted !== guidelines) {
      guidelines = wanted;
      const old = el.querySelector(".ct-guidelines");
      const panel = guidelinesPanel(model.get("guidelines"));
      if (old) old.replaceWith(panel);
      else el.insertBefore(panel, help);
    }
  }

  text.addEventListener("mouseup", () => {
    pending = mouseSelection(text);
    if (pending) el.focus({ preventScroll: true });
  });
  const onKey = (event) => {
    if (event.target === comment || event.target.tagName === "SELECT") return;
    const all = tokens();
    const move = (to) => {
      if (event.shiftKey && anchor === null) anchor = cursor;
      if (!event.shiftKey) anchor = null;
      cursor = Math.max(0, Math.min(all.length - 1, to));
      pending = null;
      drawText();
    };
    const command = event.ctrlKey || event.metaKey;
    let handled = true;
    if (command && event.key.toLowerCase() === "z") send(model, { action: "undo" });
    else if (command || event.altKey) handled = false;
    else if (event.key === "ArrowRight") move(cursor + 1);
    else if (event.key === "ArrowLeft") move(cursor - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(all.length - 1);
    else if (event.key === "Delete" || event.key === "Backspace") deleteAtCursor();
    else if (event.key === "PageDown") send(model, { action: "goto", delta: 1 });
    else if (event.key === "PageUp") send(model, { action: "goto", delta: -1 });
    else if (event.key === "Escape") {
      anchor = null;
      pending = null;
      window.getSelection()?.removeAllRanges();
      drawText();
    } else {
      const label = model.get("labels").find((l) => l.shortcut === event.key);
      if (label) tag(label.name);
      else handled = false;
    }
    if (handled) event.preventDefault();
    // Keys pressed inside the annotator never reach the notebook's own shortcuts.
    event.stopPropagation();
  };
  el.addEventListener("keydown", onKey);
  tools.append(
    button("◀ previous", "previous passage (PageUp)", () => send(model, { action: "goto", delta: -1 })),
    button("next ▶", "next passage (PageDown)", () => send(model, { action: "goto", delta: 1 })),
    button("↶ undo", "undo the last add or delete (Ctrl+Z)", () => send(model, { action: "undo" })),
  );
  const onPassage = () => {
    cursor = 0;
    anchor = null;
  };
  const synced = ["passage_text", "passage_label", "spans", "status", "labels", "tokens", "guidelines"];
  model.on("change:passage_text", onPassage); // before drawing the new passage
  for (const name of synced) model.on(`change:${name}`, draw);
  model.on("change:attributes", drawPickers);
  el.append(head, text, legend, options, tools, list, status, help);
  drawPickers();
  draw();
  return () => {
    for (const name of synced) model.off(`change:${name}`, draw);
    model.off("change:passage_text", onPassage);
    model.off("change:attributes", drawPickers);
    el.removeEventListener("keydown", onKey);
  };
}

export { assignLanes, cuts, line };
export default { render };
