// DOM built from data, never from HTML strings (issue 12, findings 1-2): every text becomes a
// Text node and every attribute goes through setAttribute, so quotes and tags in a caller's
// words, a unit's reply or a failed login's username stay text. Handlers are attached with
// addEventListener / .onclick, never as on* attributes, and no style attribute is written:
// the Content-Security-Policy (script-src 'self', style-src 'self') refuses both.
//
//   h('a', {href: '/orders/' + o.id, class: 'order-link'}, o.number)
//   h.fill(tbody, items.map(row))      // replaces the element's children
//
// Attribute values null / undefined / false are left out, true sets an empty (boolean)
// attribute; children may be strings, numbers, nodes, nested arrays; null / false are skipped.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (/^on/i.test(k) || /^style$/i.test(k)) throw new Error('h(): attribute ' + k + ' is not allowed');
    el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...h.nodes(children));
  return el;
}
h.nodes = (children) => {
  const out = [];
  const walk = (c) => {
    if (c == null || c === false || c === '') return;
    if (Array.isArray(c)) c.forEach(walk);
    else out.push(c instanceof Node ? c : String(c));
  };
  walk(children);
  return out;
};
h.fill = (el, ...children) => { el.replaceChildren(...h.nodes(children)); return el; };
// <option>s from [[value, label], ...]; `selected` is the value to preselect.
h.options = (pairs, selected) => pairs.map(([v, t]) => h('option', {value: v, selected: v === selected}, t));
// Page data rendered by the server as <script type="application/json" id="...">{{ x|tojson }}</script>.
h.data = (id) => { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; };
