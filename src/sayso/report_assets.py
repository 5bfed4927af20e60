"""The stylesheet and script every article report inlines: written for sayso, no library.

Kept as Python strings, not package files, so the report needs nothing installed beside the
code; the report's Content-Security-Policy allows exactly these two by their sha256 hashes.
Each highlight layer owns a CSS property of its own (claims the background colour, sources
the bottom border, cues the underline, hedges the top border, techniques a hatched
background image, places the outline), so overlapping layers combine on one segment, and
every layer is told by its line style or pattern, not by colour alone. Text stays #1a1a1a
on pale fills: 8:1 or more against the darkest combination.
"""

from __future__ import annotations

STYLE = """
:root { color-scheme: light; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: #1a1a1a; background: #fff; }
header, .panels { padding: 0.8rem 1.5rem; }
header { border-bottom: 1px solid #bbb; }
h1 { font-size: 1.5rem; margin: 0 0 0.3rem; }
h2 { font-size: 1.2rem; margin: 1.4rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 1rem 0 0.3rem; }
.meta, .note { color: #444; }
a { color: #0b4fb3; }
main { display: grid; grid-template-columns: minmax(0, 1fr) 25rem; gap: 1.5rem;
  padding: 0.8rem 1.5rem; }
@media (max-width: 960px) { main { grid-template-columns: minmax(0, 1fr); }
  #detail { position: static; max-height: none; } }
#article { white-space: pre-wrap; font: 17px/1.75 Georgia, "Times New Roman", serif;
  max-width: 48rem; overflow-wrap: break-word; }
#detail { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto;
  border: 1px solid #bbb; border-radius: 4px; padding: 0.3rem 1rem 1rem; background: #fafafa; }
#detail blockquote { margin: 0.5rem 0; padding-left: 0.7rem; border-left: 4px solid #8a7400; }
#detail dt { font-weight: 700; }
#detail dd { margin: 0 0 0.5rem 1rem; }
fieldset.legend { border: 1px solid #bbb; border-radius: 4px; margin: 0 0 1rem;
  display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; }
fieldset.legend label { cursor: pointer; }
.l-claim.k-attributed { background-color: #fff0b3; }
.l-claim.k-author { background-color: #e6e6e6; }
.l-source { border-bottom: 3px solid #1f4e9e; font-weight: 600; }
.l-cue { text-decoration: underline double #1b6e20; text-decoration-thickness: 2px;
  text-underline-offset: 4px; }
.l-hedge { border-top: 2px dotted #7b2d8e; font-style: italic; }
.l-technique { background-image: repeating-linear-gradient(-45deg,
  rgba(179, 38, 30, 0.28) 0 2px, transparent 2px 7px); }
.l-place { outline: 2px dotted #00666b; outline-offset: 1px; }
[data-c] { cursor: pointer; }
.sel { box-shadow: 0 0 0 2px #1a1a1a; }
.badge { font: 600 0.7rem/1 ui-monospace, Menlo, Consolas, monospace; padding: 0.1rem 0.25rem;
  margin-right: 0.2rem; border-radius: 3px; vertical-align: 0.15em; background: #fff;
  color: #4a3d00; border: 1px solid #6b5a00; white-space: nowrap; }
.badge.k-author { color: #333; border: 1px dashed #555; }
.badge:focus, [data-c]:focus { outline: 3px solid #0b57d0; outline-offset: 2px; }
#article.off-claim .l-claim { background-color: transparent; }
#article.off-claim .badge { display: none; }
#article.off-source .l-source { border-bottom: 0; font-weight: inherit; }
#article.off-cue .l-cue { text-decoration: none; }
#article.off-hedge .l-hedge { border-top: 0; font-style: inherit; }
#article.off-technique .l-technique { background-image: none; }
#article.off-place .l-place { outline: 0; }
table { border-collapse: collapse; margin: 0.4rem 0; }
th, td { border: 1px solid #bbb; padding: 0.2rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: #f0f0f0; }
.figure { overflow-x: auto; }
svg text { font-family: system-ui, sans-serif; }
.graph .node rect { fill: #eef3fb; stroke: #1f4e9e; }
.graph .n-person rect { fill: #fff6d6; stroke: #6b5a00; }
.graph .n-anonymous rect, .graph .n-unknown rect { fill: #f2f2f2; stroke: #555; }
.graph .n-outlet rect { fill: #fff; stroke: #1a1a1a; }
.graph .name { font-size: 13px; font-weight: 600; fill: #1a1a1a; }
.graph .sub { font-size: 11px; fill: #444; }
.graph .count { font-size: 12px; font-weight: 700; fill: #1a1a1a; }
.map .sea { fill: #f4f8fb; stroke: #888; }
.map .grid { stroke: #c3cfd9; stroke-width: 1; }
.map .tick { font-size: 11px; fill: #444; }
.map .town { fill: #00666b; stroke: #fff; stroke-width: 1.5; }
.map .area { fill: none; stroke: #00666b; stroke-width: 2.5; }
.map .event { fill: #fff; stroke: #b3261e; stroke-width: 2; }
.map .label { font-size: 12px; fill: #1a1a1a; paint-order: stroke; stroke: #fff;
  stroke-width: 3px; }
"""

# Reads the JSON data block, shows a claim's chain and flags in the side panel when the
# claim is clicked (or its label focused and Enter or Space pressed), and toggles layers.
# Every value from the data goes in with textContent; links only for http(s) URLs.
SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("sayso-data").textContent);
  var article = document.getElementById("article");
  var panel = document.getElementById("detail-body");

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }
  function link(url) {
    if (!/^https?:[/][/]/i.test(url)) { return el("span", url); }
    var a = el("a", url);
    a.href = url;
    a.rel = "noopener noreferrer";
    return a;
  }
  function facts(f) {
    var list = el("ul");
    [["kind", f.kind], ["country", f.country], ["ownership", f.ownership],
     ["owner", f.owner], ["role", f.role], ["affiliation", f.affiliation],
     ["checked", f.checked]].forEach(function (pair) {
      if (pair[1]) { list.appendChild(el("li", pair[0] + ": " + pair[1])); }
    });
    (f.citations || []).forEach(function (url) {
      var item = el("li", "citation: ");
      item.appendChild(link(url));
      list.appendChild(item);
    });
    return list;
  }
  function chain(c) {
    var list = el("ol");
    c.chain.forEach(function (step, i) {
      var role = i === 0 ? "origin" : "relay";
      var item = el("li");
      item.appendChild(el("strong", step.name));
      item.appendChild(document.createTextNode(" (" + role + "; " + step.detail + ")"));
      if (step.mention) { item.appendChild(el("div", "named as: " + step.mention, "note")); }
      if (step.candidates.length) {
        item.appendChild(el("div", "ambiguous, candidates: " + step.candidates.join(", ")));
      }
      if (step.facts) { item.appendChild(facts(step.facts)); }
      list.appendChild(item);
    });
    list.appendChild(el("li", "published by " + data.outlet));
    return list;
  }
  function section(title, items) {
    if (!items.length) { return; }
    panel.appendChild(el("h3", title));
    var list = el("dl");
    items.forEach(function (pair) {
      list.appendChild(el("dt", pair[0]));
      list.appendChild(el("dd", pair[1]));
    });
    panel.appendChild(list);
  }
  function select(index) {
    Array.prototype.forEach.call(document.querySelectorAll(".sel"), function (node) {
      node.classList.remove("sel");
    });
    Array.prototype.forEach.call(article.querySelectorAll("[data-c]"), function (node) {
      if (node.getAttribute("data-c").split(" ").indexOf(String(index)) >= 0) {
        node.classList.add("sel");
      }
    });
  }
  function show(index) {
    var c = data.claims[index];
    if (!c) { return; }
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    panel.appendChild(el("h2", "Claim " + c.id));
    panel.appendChild(el("p", c.summary, "meta"));
    panel.appendChild(el("blockquote", c.text));
    if (c.chain.length) {
      panel.appendChild(el("h3", "Chain, origin to relay"));
      panel.appendChild(chain(c));
    }
    section("Flags", c.flags.map(function (f) { return [f.name, f.reason]; }));
    section("Cue and hedges", c.words.map(function (w) { return [w.kind, w.text]; }));
    section("Events", c.events.map(function (e) { return [e.type, e.text]; }));
    select(index);
  }
  function first(node) {
    return parseInt(node.getAttribute("data-c").split(" ")[0], 10);
  }
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-c]") : null;
    if (target) { show(first(target)); }
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if ((event.key === "Enter" || event.key === " ") && target.hasAttribute &&
        target.hasAttribute("data-c") && target.getAttribute("role") === "button") {
      event.preventDefault();
      show(first(target));
    }
  });
  Array.prototype.forEach.call(document.querySelectorAll("input[data-layer]"), function (box) {
    box.addEventListener("change", function () {
      article.classList.toggle("off-" + box.getAttribute("data-layer"), !box.checked);
    });
  });
})();
"""
