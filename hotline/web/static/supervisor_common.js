// The supervisor workspace's shared part (issue 15, item 7; templates/supervisor_layout.html):
// the date range kept in the URL and checked next to its fields, report tables with names
// (codes only in the exports), export buttons, and Apache ECharts set-up (npm package, served
// under /vendor/; docs/design/ux.md §10: never from a CDN).
const Sup = (() => {
  const $ = id => document.getElementById(id);
  const RATE = /_rate$/;
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
  const DAY = /^\d{4}-\d{2}-\d{2}$/;
  const NUM = /^(score|rank|deduction|orders|closed|assigned|population|answers|unreachable|returns_|send_backs|unreasonable|excluded_ratings|repeats|requested|approved|rejected|arbitration_|attributed_returns|rate_percent|.*_h$|.*_n$)/;
  let labels = null;   // Hotline.labels(): names for codes

  // ---- the period (?from=&to=), shared by every page of the workspace
  function period() {
    const p = new URLSearchParams(location.search);
    return {from: p.get('from') || '', to: p.get('to') || ''};
  }
  // The reports' default period (reports/service.py parse_period): the month so far, in city
  // time; for the report that needs both ends (退单统计).
  function fullPeriod() {
    const today = new Intl.DateTimeFormat('sv-SE', {timeZone: 'Asia/Shanghai'}).format(new Date());
    const {from, to} = period();
    const end = to || today;
    return {from: from || end.slice(0, 8) + '01', to: end};
  }
  function query(extra) {
    const p = new URLSearchParams();
    const {from, to} = period();
    if (from) p.set('from', from);
    if (to) p.set('to', to);
    for (const [k, v] of Object.entries(extra || {})) if (v != null && v !== '') p.set(k, v);
    return p;
  }
  // The sub-navigation keeps the period, so a range chosen on one page holds on the next.
  function carryPeriod() {
    const q = query().toString();
    document.querySelectorAll('.subnav a[data-href]').forEach(a => {
      a.href = a.dataset.href + (q ? '?' + q : '');
    });
  }
  // Checks a range the browser can check (docs/design/ux.md §5: the reason next to its field, in
  // Chinese); the server checks again (422 with the field) and its answer is shown the same way.
  function checkPeriod(from, to) {
    const errors = {};
    for (const [k, v] of [['from', from], ['to', to]]) {
      if (v && !DAY.test(v)) errors[k] = ['日期格式须为 YYYY-MM-DD'];
      else if (v && (v < '2000-01-01' || v > '2100-12-31')) errors[k] = ['日期须在 2000-01-01 至 2100-12-31 之间'];
    }
    if (!errors.from && !errors.to && from && to && from > to) errors.from = ['起始日期不能晚于结束日期'];
    return errors;
  }
  function showPeriodErrors(fields) {
    const form = $('period');
    Hotline.showErrors(form, {body: {error: {fields}}}, $('period-error'));
  }
  // A failed report call: a 422 about the period goes next to its field, anything else to the
  // form's line (or the given element), in Chinese.
  function reportError(e, el) {
    const fields = (e && e.body && e.body.error && e.body.error.fields) || {};
    if ($('period') && (fields.from || fields.to)) { showPeriodErrors(fields); return; }
    const target = el || $('period-error');
    if (target) target.textContent = (e && e.message) || '加载失败, 请稍后重试';
  }

  // ---- values shown by name (docs/design/ux.md §1)
  const ANSWERS = {resolved: '已解决', partial: '部分解决', unresolved: '未解决', satisfied: '满意',
                   basic: '基本满意', dissatisfied: '不满意'};
  function fmt(k, v) {
    // a unit below the minimum sample is listed but not ranked (issue 18, config/scoring.yaml)
    if (v == null && (k === 'rank' || k === 'rank_in_town')) return '不排名';
    if (v == null || v === '') return '—';
    if (typeof v === 'boolean') return v ? '是' : '否';
    if (RATE.test(k) && typeof v === 'number') return (Math.round(v * 1000) / 10) + '%';
    if (typeof v === 'string' && ISO.test(v)) return Hotline.fmt(v);
    if (labels && (k === 'unit' || k === 'town') && labels.units.has(v)) return labels.units.get(v);
    if (labels && k === 'category' && labels.categories.has(v)) return labels.categories.get(v);
    if ((k === 'resolved' || k === 'satisfaction') && ANSWERS[v]) return ANSWERS[v];
    if (typeof v === 'number' && !Number.isInteger(v)) return String(Math.round(v * 100) / 100);
    return String(v);
  }
  // A report table {columns: [[key, 中文]], items}: code columns are left out (exports keep them).
  const CODE_COLS = new Set(['单位代码']);
  const WRAP = new Set(['comment', 'title', 'address', 'reason', 'evidence']);
  function table(el, t, {extra, empty, only} = {}) {
    let cols = t.columns.filter(c => !CODE_COLS.has(c[1]));
    if (only) cols = cols.filter(c => only.has(c[0]));
    el.classList.add('report');
    if (!t.items.length) {
      h.fill(el, h('caption', {class: 'empty'}, empty || '统计期内暂无数据'));
      return;
    }
    const cls = k => WRAP.has(k) ? 'wrap' : (NUM.test(k) || RATE.test(k) ? 'num' : null);
    const cell = (c, i) => {
      const v = i[c[0]];
      if ((c[0] === 'number' || c[0] === 'order_number') && (i.order_id || i.id) && typeof v === 'string' && /^DG/.test(v)) {
        return h('td', {'data-k': c[0]}, h('a', {href: '/orders/' + (i.order_id || i.id)}, v));
      }
      return h('td', {'data-k': c[0], class: cls(c[0])}, fmt(c[0], v));
    };
    h.fill(el,
      h('thead', null, h('tr', null, cols.map(c => h('th', {scope: 'col'}, c[1])), extra ? h('th', {scope: 'col'}, '操作') : null)),
      h('tbody', null, t.items.map(i => h('tr', {'data-unit': i.unit || null},
        cols.map(c => cell(c, i)), extra ? h('td', null, extra(i)) : null))));
  }

  // ---- exports: the same report as CSV / XLSX, downloaded with the page's session cookie
  async function exportTable(name, format) {
    const p = query({format});
    const r = await fetch(`/api/v1/reports/${name}?${p}`, {credentials: 'same-origin'});
    if (!r.ok) { reportError({message: '导出失败 (HTTP ' + r.status + ')'}); return; }
    const url = URL.createObjectURL(await r.blob());
    const a = h('a', {href: url, download: `${name}.${format}`});
    document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---- charts: ECharts on a canvas, with an accessible description (aria) and tooltips drawn
  // on the canvas too (richText): the HTML tooltip writes style attributes, which the CSP's
  // style-src 'self' refuses.
  const charts = [];
  // `height` (px): a chart whose height follows its data (one bar per unit); its box is sized
  // by ECharts itself, as the page writes no style attribute.
  function chart(el, option, {height} = {}) {
    if (typeof echarts === 'undefined') {
      h.fill(el, h('p', {class: 'hint'}, '图表组件未安装 (请运行 make run 安装前端依赖)。'));
      return null;
    }
    let c = echarts.getInstanceByDom(el);
    if (c && el.querySelector('.empty')) { c.dispose(); c = null; }
    if (!c) {
      el.replaceChildren();
      c = echarts.init(el, null, {renderer: 'canvas', locale: 'ZH', height: height || undefined});
      charts.push(c);
    } else if (height) c.resize({height});
    const base = {
      aria: {enabled: true},
      textStyle: {fontFamily: '"WenQuanYi Zen Hei","Noto Sans CJK SC","Microsoft YaHei",sans-serif', fontSize: 14},
      tooltip: Object.assign({renderMode: 'richText', confine: true}, option.tooltip || {}),
      color: ['#1565c0', '#2e7d32', '#c62828', '#6a1b9a', '#ef6c00'],
    };
    c.setOption(Object.assign({}, option, base), true);
    el.setAttribute('role', 'img');
    return c;
  }
  window.addEventListener('resize', () => charts.forEach(c => c.resize()));

  // ---- start: fill the range from the URL, reload on a valid submit
  async function start(load) {
    Hotline.requireLogin();   // nobody logged in: to /login (a wrong role got a refusal page)
    labels = await Hotline.labels();
    carryPeriod();
    document.querySelectorAll('.exp').forEach(b => b.addEventListener('click', () => exportTable(b.dataset.r, b.dataset.f)));
    const form = $('period');
    if (form) {
      const {from, to} = period();
      $('from').value = from; $('to').value = to;
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const f = $('from').value, t = $('to').value;
        const errors = checkPeriod(f, t);
        if (Object.keys(errors).length) { showPeriodErrors(errors); return; }
        Hotline.clearErrors(form); $('period-error').textContent = '';
        const p = new URLSearchParams(location.search);
        f ? p.set('from', f) : p.delete('from');
        t ? p.set('to', t) : p.delete('to');
        history.replaceState(null, '', location.pathname + (p.toString() ? '?' + p : ''));
        carryPeriod();
        run(load);
      });
      // a range typed into the URL by hand is checked like one typed into the fields
      const errors = checkPeriod(from, to);
      if (Object.keys(errors).length) { showPeriodErrors(errors); return; }
    }
    run(load);
  }
  async function run(load) {
    const btn = $('go');
    if (btn) btn.disabled = true;          // no second request while one is in flight
    try { await load(); } catch (e) { reportError(e); } finally { if (btn) btn.disabled = false; }
  }
  function showPeriod(t) {
    const fv = $('fv');
    if (fv && t && t.from) fv.textContent = `统计期 ${t.from} 至 ${t.to}`;
  }
  return {$, query, fullPeriod, table, fmt, chart, start, run, reportError, showPeriod, pct: v => v == null ? null : Math.round(v * 1000) / 10,
          labels: () => labels};
})();
