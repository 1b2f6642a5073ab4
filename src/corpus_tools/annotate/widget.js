// Front end of corpus_tools.annotate.Annotator. It shows the passage with its annotations and
// reports what the student does as messages on the widget's channel (`model.send`); Python
// carries every action out and saves it. Offsets sent to Python count UTF-16 code units, as
// JavaScript strings do.

function send(model, request) {
  model.send(request);
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
  const element = part("button", "ct-button");
  element.type = "button";
  element.textContent = label;
  element.title = title;
  element.addEventListener("click", onClick);
  return element;
}

function part(tag, className) {
  const element = document.createElement(tag);
  element.className = className;
  return element;
}

function render({ model, el }) {
  el.classList.add("ct-annotator");
  el.tabIndex = 0;
  const head = part("div", "ct-head");
  const text = part("div", "ct-text");
  const legend = part("div", "ct-legend");
  const comment = part("input", "ct-comment");
  comment.type = "text";
  comment.placeholder = "comment (optional)";
  comment.size = 40;
  const tools = part("div", "ct-tools");
  const list = part("ol", "ct-list");
  const status = part("div", "ct-status");
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
  const onKey = (event) => {
    if (event.target === comment || event.ctrlKey || event.metaKey || event.altKey) return;
    const label = model.get("labels").find((l) => l.shortcut === event.key);
    if (label) tag(label.name);
    // Keys pressed inside the annotator never reach the notebook's own shortcuts.
    event.stopPropagation();
  };
  el.addEventListener("keydown", onKey);
  tools.append(
    button("◀ previous", "previous passage", () => send(model, { action: "goto", delta: -1 })),
    button("next ▶", "next passage", () => send(model, { action: "goto", delta: 1 })),
    button("↶ undo", "undo the last add or delete", () => send(model, { action: "undo" })),
    comment,
  );
  const synced = ["passage_text", "passage_label", "spans", "status", "labels"];
  for (const name of synced) model.on(`change:${name}`, draw);
  el.append(head, text, legend, tools, list, status);
  draw();
  return () => {
    for (const name of synced) model.off(`change:${name}`, draw);
    el.removeEventListener("keydown", onKey);
  };
}

export default { render };
