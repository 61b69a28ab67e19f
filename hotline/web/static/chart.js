// Minimal charts as inline SVG, drawn in the viewer's browser: no CDN, no server-side images,
// and Chinese labels rendered as SVG text with the browser's own fonts. Sized for a projector.
const HChart = {
  NS: 'http://www.w3.org/2000/svg',
  el(tag, attrs, text) {
    const e = document.createElementNS(HChart.NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text != null) e.textContent = text;
    return e;
  },
  // Horizontal bars: one row per label; values in [0, max].
  bars(container, labels, values, {max = 100, unit = '', title = ''} = {}) {
    const rowH = 34, left = 190, width = 900, top = title ? 40 : 10;
    const h = top + rowH * labels.length + 10;
    const svg = HChart.el('svg', {viewBox: `0 0 ${width} ${h}`, width: '100%', role: 'img',
                                  'aria-label': title, class: 'chart'});
    if (title) svg.appendChild(HChart.el('text', {x: 10, y: 26, 'font-size': 22, 'font-weight': 'bold'}, title));
    labels.forEach((lab, i) => {
      const y = top + i * rowH, v = values[i];
      svg.appendChild(HChart.el('text', {x: left - 8, y: y + 22, 'text-anchor': 'end', 'font-size': 18}, lab));
      const w = v == null ? 0 : Math.max(0, (width - left - 110) * v / max);
      svg.appendChild(HChart.el('rect', {x: left, y: y + 5, width: w, height: rowH - 10, fill: '#1565c0'}));
      svg.appendChild(HChart.el('text', {x: left + w + 8, y: y + 22, 'font-size': 18},
                                v == null ? '无数据' : (Math.round(v * 10) / 10) + unit));
    });
    container.replaceChildren(svg);
  },
  // Lines over periods: series = [{name, values}] with values in [0, max] or null.
  lines(container, labels, series, {max = 100, title = ''} = {}) {
    const width = 900, height = 360, l = 60, r = 20, t = 75, b = 50;
    const colours = ['#1565c0', '#2e7d32', '#c62828', '#6a1b9a', '#ef6c00'];
    const svg = HChart.el('svg', {viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img',
                                  'aria-label': title, class: 'chart'});
    if (title) svg.appendChild(HChart.el('text', {x: 10, y: 26, 'font-size': 22, 'font-weight': 'bold'}, title));
    const x = i => l + (labels.length < 2 ? (width - l - r) / 2 : i * (width - l - r) / (labels.length - 1));
    const y = v => t + (height - t - b) * (1 - v / max);
    for (const g of [0, 0.5, 1]) {
      svg.appendChild(HChart.el('line', {x1: l, x2: width - r, y1: y(g * max), y2: y(g * max), stroke: '#ccc'}));
      svg.appendChild(HChart.el('text', {x: l - 6, y: y(g * max) + 6, 'text-anchor': 'end', 'font-size': 16}, g * max));
    }
    labels.forEach((lab, i) => svg.appendChild(HChart.el('text', {x: x(i), y: height - 18, 'text-anchor': 'middle', 'font-size': 15}, lab)));
    series.forEach((s, k) => {
      const pts = s.values.map((v, i) => v == null ? null : `${x(i)},${y(v)}`).filter(Boolean);
      svg.appendChild(HChart.el('polyline', {points: pts.join(' '), fill: 'none', stroke: colours[k % 5], 'stroke-width': 4}));
      s.values.forEach((v, i) => { if (v != null) svg.appendChild(HChart.el('circle', {cx: x(i), cy: y(v), r: 6, fill: colours[k % 5]})); });
      svg.appendChild(HChart.el('text', {x: l + 10 + k * 170, y: t - 20, fill: colours[k % 5], 'font-size': 18}, '■ ' + s.name));
    });
    container.replaceChildren(svg);
  },
};
