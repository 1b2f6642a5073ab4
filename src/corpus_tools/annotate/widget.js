// Front end of corpus_tools.annotate.Annotator. It shows the passage with its annotations and
// reports what the student does as `request` messages; Python carries every action out and
// saves it. Offsets sent to Python count UTF-16 code units, as JavaScript strings do.

let counter = 0;

function send(model, request) {
  counter += 1; // a fresh value each time, or the same request twice would not be seen
  model.set("request", { ...request, n: counter });
  model.save_changes();
}

function boundaries(text, spans) {
  const cuts = new Set([0, text.length]);
  for (const span of spans) {
    cuts.add(span.start);
    cuts.add(span.end);
  }
  return [...cuts].sort((a, b) => a - b);
}

// The passage as runs of text; a run carries every span that covers it, so overlapping and
// nested spans show as stacked underlines in their tags' colours.
function renderText(container, text, spans) {
  container.replaceChildren();
  const cuts = boundaries(text, spans);
  for (let i = 0; i + 1 < cuts.length; i += 1) {
    const [from, to] = [cuts[i], cuts[i + 1]];
    const covering = spans.filter((s) => s.start <= from && to <= s.end);
    const run = document.createElement("span");
    run.textContent = text.slice(from, to);
    run.dataset.offset = String(from);
    if (covering.length) {
      const shadows = covering.map((s, k) => `inset 0 -${3 * (k + 1)}px 0 ${s.colour}`);
      run.style.boxShadow = shadows.join(", ");
      run.style.paddingBottom = `${3 * covering.length}px`;
      run.style.background = `${covering[covering.length - 1].colour}22`;
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

function currentSelection(container) {
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

function button(label, title, onClick) {
  const element = document.createElement("button");
  element.type = "button";
  element.textContent = label;
  element.title = title;
  element.className = "ct-button";
  element.addEventListener("click", onClick);
  return element;
}

function render({ model, el }) {
  el.classList.add("ct-annotator");
  el.tabIndex = 0;
  const style = document.createElement("style");
  style.textContent = `
    .ct-annotator { font-family: sans-serif; border: 1px solid #ccc; border-radius: 6px;
      padding: .6em .8em; outline: none; max-width: 60em; }
    .ct-annotator:focus { border-color: #4c72b0; }
    .ct-head { color: #555; font-size: .85em; margin-bottom: .4em; }
    .ct-text { line-height: 2.1; font-size: 1.02em; user-select: text; cursor: text; }
    .ct-legend, .ct-tools { margin: .5em 0; display: flex; flex-wrap: wrap; gap: .35em; }
    .ct-button { border: 1px solid #aaa; border-radius: 4px; background: #fafafa;
      padding: .15em .55em; cursor: pointer; font-size: .9em; }
    .ct-tag { border-left-width: 6px; }
    .ct-list { font-size: .88em; margin: .3em 0; padding-left: 1.2em; }
    .ct-status { font-size: .85em; color: #333; background: #f3f3f3; padding: .2em .5em; }
  `;
  const head = document.createElement("div");
  head.className = "ct-head";
  const text = document.createElement("div");
  text.className = "ct-text";
  const legend = document.createElement("div");
  legend.className = "ct-legend";
  const comment = document.createElement("input");
  comment.type = "text";
  comment.placeholder = "comment (optional)";
  comment.size = 40;
  const tools = document.createElement("div");
  tools.className = "ct-tools";
  const list = document.createElement("ol");
  list.className = "ct-list";
  const status = document.createElement("div");
  status.className = "ct-status";
  status.setAttribute("role", "status");

  let pending = null;

  function tag(name) {
    const chosen = currentSelection(text) || pending;
    if (!chosen) {
      status.textContent = "select some words first, then choose a tag";
      return;
    }
    send(model, { action: "add", start: chosen.start, end: chosen.end, tag: name,
      comment: comment.value });
    pending = null;
    comment.value = "";
    window.getSelection()?.removeAllRanges();
  }

  function draw() {
    head.textContent = model.get("passage_label");
    renderText(text, model.get("passage_text"), model.get("spans"));
    legend.replaceChildren(
      ...model.get("labels").map((label) => {
        const element = button(`${label.shortcut} ${label.name}`, label.description,
          () => tag(label.name));
        element.classList.add("ct-tag");
        element.style.borderLeftColor = label.colour;
        return element;
      }),
    );
    list.replaceChildren(
      ...model.get("spans").map((span) => {
        const item = document.createElement("li");
        item.style.borderLeft = `4px solid ${span.colour}`;
        item.style.paddingLeft = ".3em";
        const words = model.get("passage_text").slice(span.start, span.end);
        item.append(`${span.tag}: “${words}”${span.comment ? ` (${span.comment})` : ""} `);
        item.append(button("delete", "delete this annotation",
          () => send(model, { action: "delete", id: span.id })));
        return item;
      }),
    );
    status.textContent = model.get("status");
  }

  text.addEventListener("mouseup", () => {
    pending = currentSelection(text);
    if (pending) el.focus({ preventScroll: true });
  });
  el.addEventListener("keydown", (event) => {
    if (event.target === comment || event.ctrlKey || event.metaKey || event.altKey) return;
    const label = model.get("labels").find((l) => l.shortcut === event.key);
    if (label) tag(label.name);
    // Keys pressed inside the annotator never reach the notebook's own shortcuts.
    event.stopPropagation();
  });
  tools.append(
    button("◀ previous", "previous passage", () => send(model, { action: "goto", delta: -1 })),
    button("next ▶", "next passage", () => send(model, { action: "goto", delta: 1 })),
    button("↶ undo", "undo the last add or delete", () => send(model, { action: "undo" })),
    comment,
  );
  for (const name of ["passage_text", "passage_label", "spans", "status", "labels"]) {
    model.on(`change:${name}`, draw);
  }
  el.append(style, head, text, legend, tools, list, status);
  draw();
}

export default { render };
