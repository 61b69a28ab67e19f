// Shared helpers of the browser pages: login state and API calls.
// The credential is an HttpOnly, SameSite=Strict cookie set by POST /api/v1/auth/session:
// no script here (nor one injected into a page) can read it (docs/operations.md, "Page
// sessions"). sessionStorage keeps only a non-secret hint of who is logged in
// ({role, name, unit, username}) so pages can draw their navigation without waiting;
// the server decides on every request.
const Hotline = {
  saveLogin(j) {
    const p = {role: j.role, name: j.name, unit: j.unit, username: j.username};
    sessionStorage.setItem('hotline', JSON.stringify(p));
    return p;
  },
  // the cached profile hint, or null (synchronous)
  login() {
    try {
      const p = JSON.parse(sessionStorage.getItem('hotline'));
      return p && p.role ? {role: p.role, name: p.name, unit: p.unit, username: p.username} : null;
    } catch (e) { return null; }
  },
  csrf() { const m = document.querySelector('meta[name="csrf-token"]'); return m ? m.content : ''; },
  toLogin() {
    sessionStorage.removeItem('hotline');
    const next = location.pathname + location.search;
    location.href = next.startsWith('/login') ? '/login' : '/login?next=' + encodeURIComponent(next);
  },
  async logout() {
    try {
      await fetch('/api/v1/auth/logout', {method: 'POST', credentials: 'same-origin',
                                          headers: {'X-CSRFToken': Hotline.csrf()}});
    } finally {
      sessionStorage.removeItem('hotline');
      location.href = '/login';
    }
  },
  homeFor(role) {
    return {agent: '/intake', dispatcher: '/dispatch', department: '/inbox', supervisor: '/supervisor',
            leader: '/supervisor', admin: '/intake'}[role] || '/intake';
  },
  // The server's answer to "who am I" for the cookie session: the profile, or null (401).
  async me() {
    const r = await fetch('/api/v1/auth/me', {credentials: 'same-origin'});
    if (r.status === 401) { sessionStorage.removeItem('hotline'); return null; }
    if (!r.ok) throw new Error('HTTP ' + r.status);
    return Hotline.saveLogin(await r.json());
  },
  // Synchronous, as the page scripts expect: returns the cached profile and re-checks it with
  // the server in the background (a revoked or expired session goes to /login). With no
  // profile cached (a new tab) it asks the server, reloads the page once it knows, and stops
  // the calling script by throwing, as it always did when not logged in.
  requireLogin() {
    const l = Hotline.login();
    const check = Hotline.me().then((p) => {
      if (!p) Hotline.toLogin();
      else if (!l) location.reload();
    }).catch(() => { if (!l) Hotline.toLogin(); });
    if (!l) { Hotline.ready = check; throw new Error('not logged in'); }
    return l;
  },
  async api(method, path, body, headers) {
    const opts = {method, credentials: 'same-origin', headers: Object.assign({}, headers || {})};
    if (!['GET', 'HEAD', 'OPTIONS'].includes(String(method).toUpperCase())) {
      opts.headers['X-CSRFToken'] = Hotline.csrf();   // the cookie alone is not enough to change state
    }
    if (body !== undefined) { opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body); }
    const r = await fetch(path, opts);
    if (r.status === 401) { Hotline.toLogin(); }
    const j = await r.json().catch(() => ({}));
    if (!r.ok) { const e = new Error((j.error && j.error.message) || ('HTTP ' + r.status)); e.body = j; e.status = r.status; throw e; }
    return j;
  },
  // The messages of an error's fields as one line of Chinese text, without the field paths
  // (pages show text, never a code); pages that have the fields use showErrors() instead.
  fieldErrors(err) {
    const f = (err.body && err.body.error && err.body.error.fields) || {};
    return Object.values(f).map(v => [].concat(v).join('；')).join('；');
  },
  // Role names shown for role codes (values stay codes).
  ROLES: {agent: '话务员', dispatcher: '派单员', department: '承办单位', supervisor: '督办员', leader: '领导',
          admin: '管理员', system: '系统', citizen: '市民'},
  roleName(code) { return Hotline.ROLES[code] || '其他角色'; },
  // "2026-12-03T19:06:18.587179+08:00" -> "12-03 19:06" (the server sends city time)
  fmt(iso) {
    const m = /^\d{4}-(\d{2}-\d{2})[T ](\d{2}:\d{2})/.exec(String(iso || ''));
    return m ? m[1] + ' ' + m[2] : (iso ? String(iso) : '');
  },
  // Names for codes, fetched once per page load: {units, categories, statuses, actions, roles},
  // each a Map code -> name (a failed call leaves that map empty: names fall back, never throw).
  labels() {
    if (!Hotline._labels) {
      const get = (path) => Hotline.api('GET', path).catch(() => null);
      Hotline._labels = Promise.all([get('/api/v1/units'), get('/api/v1/categories'), get('/api/v1/dispatch/codes')])
        .then(([u, c, d]) => ({
          units: new Map(((u && u.items) || []).map(x => [x.code, x.name])),
          categories: new Map(((c && c.items) || []).map(x => [x.code, x.name])),
          statuses: new Map(Object.entries((d && d.statuses) || {})),
          actions: new Map(Object.entries((d && d.actions) || {})),
          roles: new Map(Object.entries(Hotline.ROLES)),
        }));
    }
    return Hotline._labels;
  },
  // Puts each field error next to its field (docs: bad input gets field and reason, in Chinese):
  // the control is found by name or id (last segment of the path, or a mapping given by the
  // page), marked aria-invalid + class "invalid", and gets a <p class="field-error"> after its
  // label; the field's name in the message is its <label> text. Errors without a control go to
  // `errEl` as text, without the path. Returns the number of errors shown.
  showErrors(form, err, errEl, map) {
    Hotline.clearErrors(form);
    const fields = (err && err.body && err.body.error && err.body.error.fields) || {};
    const rest = [];
    const flat = [];
    const walk = (path, v) => {
      if (Array.isArray(v)) {
        if (v.every(x => typeof x === 'string')) flat.push([path, v]);
        else v.forEach((x, i) => walk(path + '.' + i, x));
      } else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => walk(path ? path + '.' + k : k, x));
      else flat.push([path, [String(v)]]);
    };
    walk('', fields);
    for (const [path, msgs] of flat) {
      const key = (map && map[path]) || path.split('.').pop();
      let el = null;
      if (form && key) el = form.querySelector(`[name="${CSS.escape(key)}"]`) || form.querySelector('#' + CSS.escape(key));
      if (!el) { rest.push(msgs.join('；')); continue; }
      const label = el.closest('label') || (el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null);
      const name = label ? Array.from(label.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim() : '';
      el.classList.add('invalid');
      el.setAttribute('aria-invalid', 'true');
      const text = (name ? name + '：' : '') + msgs.join('；');
      // a field with its own error line (e.g. #content-error) uses it
      const own = el.id && document.getElementById(el.id + '-error');
      if (own) { own.textContent = text; own.dataset.fieldError = '1'; }
      else (label && label.contains(el) ? label : el).after(h('p', {class: 'field-error', role: 'alert'}, text));
    }
    if (errEl) {
      const head = (err && err.message) || '';
      errEl.textContent = rest.length ? (flat.length > rest.length ? '请修改标出的项目。' : '') + rest.join('；')
        : (flat.length ? '请修改标出的项目。' : head);
      if (!flat.length && !rest.length) errEl.textContent = head;
    }
    return flat.length;
  },
  clearErrors(form) {
    if (!form) return;
    form.querySelectorAll('.field-error').forEach(p => p.remove());
    form.querySelectorAll('[data-field-error]').forEach(p => { p.textContent = ''; delete p.dataset.fieldError; });
    form.querySelectorAll('[aria-invalid="true"]').forEach(el => { el.classList.remove('invalid'); el.setAttribute('aria-invalid', 'false'); });
  },
};
(function nav() {
  const l = Hotline.login(); const nav = document.getElementById('nav'); if (!nav || !l) return;
  const links = {agent: [['/intake', '受理登记'], ['/survey-queue', '电话回访']],
    dispatcher: [['/intake', '受理登记'], ['/dispatch', '派单与审核'], ['/survey-queue', '电话回访']],
    department: [['/inbox', '本单位工单'], ['/inbox/sla', '时限预警']],
    supervisor: [['/supervisor', '督办与报表'], ['/supervisor/arbitration', '裁定'], ['/supervisor/sla', '时限监控'],
                 ['/survey-queue', '电话回访'], ['/sms-outbox', '短信发件箱']],
    leader: [['/supervisor', '报表']],
    admin: [['/intake', '受理登记'], ['/admin', '系统管理']]}[l.role] || [];
  // the knowledge base (issue 16): units keep their articles, the centre reviews them
  if (['department', 'supervisor', 'admin', 'agent', 'dispatcher', 'leader'].includes(l.role)) links.push(['/knowledge', '知识库']);
  if (['supervisor', 'leader', 'admin'].includes(l.role)) links.push(['/knowledge/report', '直接答复报表']);
  // ---- issue 18 (callcentre helper): 话务报表, 差评整改 (units too), 服务体验官
  if (['supervisor', 'leader', 'admin'].includes(l.role)) links.push(['/calls/report', '话务报表']);
  if (['supervisor', 'leader', 'admin', 'department'].includes(l.role)) links.push(['/rectifications', '差评整改']);
  if (['supervisor', 'leader', 'admin'].includes(l.role)) links.push(['/experience', '服务体验官']);
  // ---- end issue 18 (callcentre helper)
  // the monthly bulletin (issue 18 item 5): supervisors preview and publish, leaders read
  if (['supervisor', 'leader', 'admin'].includes(l.role)) links.push(['/supervisor/bulletin', '月度通报']);
  if (l.role === 'admin') links.push(['/docs', '接口文档']);
  // ---- issue 15 (workspace): every page a role may use is in its menu (the page's API roles:
  // /dispatch and /supervisor/sla the centre, /supervisor the report readers, /survey-queue the
  // centre and agents, /sms-outbox core/sms.py SMS_ROLES, arbitration supervisors/leaders/admin)
  const more = {agent: [['/sms-outbox', '短信发件箱']],
    dispatcher: [['/supervisor/sla', '时限监控'], ['/supervisor', '督办与报表'], ['/sms-outbox', '短信发件箱']],
    supervisor: [['/dispatch', '派单与审核']],
    leader: [['/supervisor/sla', '时限监控'], ['/supervisor/arbitration', '裁定'], ['/dispatch', '派单与审核'],
             ['/survey-queue', '电话回访']],
    admin: [['/dispatch', '派单与审核'], ['/supervisor', '督办与报表'], ['/supervisor/sla', '时限监控'],
            ['/supervisor/arbitration', '裁定'], ['/survey-queue', '电话回访'], ['/sms-outbox', '短信发件箱']]}[l.role] || [];
  for (const m of more) if (!links.some(x => x[0] === m[0])) links.push(m);
  // --- issue 17 (cases): 会商, 疑难工单, 热点预警 ---
  if (['dispatcher', 'supervisor', 'department'].includes(l.role)) links.push(['/consultations', '会商']);
  if (['supervisor', 'leader', 'dispatcher'].includes(l.role)) links.push(['/hard-cases', '疑难工单']);
  if (['dispatcher', 'supervisor', 'leader'].includes(l.role)) links.push(['/hotspots', '热点预警']);
  // --- end issue 17 ---
  // built with dom.js (text nodes only): a user's display name is data
  h.fill(nav, links.map(([href, t]) => h('a', {href, 'aria-current': href === location.pathname ? 'page' : null}, t)));
  h.fill(document.getElementById('whoami'), (l.name || l.username) + ' · ' + Hotline.roleName(l.role));
})();
// ---- issue 15, Build 3 (search helper): 工单查询 in every staff role's menu. A separate
// block so the menus edited by the other issue-15 work merge cleanly; it adds one link to
// whatever nav() drew.
(function searchNav() {
  const l = Hotline.login(); const nav = document.getElementById('nav');
  if (!nav || !l || !['agent', 'dispatcher', 'department', 'supervisor', 'leader', 'admin'].includes(l.role)) return;
  if (!nav.querySelector('a[href="/orders"]')) nav.append(h('a', {href: '/orders'}, '工单查询'));
})();
// ---- end of issue 15 search block
(function logoutButton() {
  const b = document.getElementById('logout'); if (!b) return;
  b.hidden = !Hotline.login();
  b.addEventListener('click', () => { Hotline.logout(); });
})();
// ---- issue 15 (workspace): time left on a clock, the one formatter (docs/design/ux.md §2) ----
// `tl` is the API's time_left ({overdue, seconds, natural, ticking}), computed by the SLA
// engine's calendar in working time (hotline/sla/domain/timeleft.py); this only words it:
// "剩余 3 小时 20 分", "剩余 2 个工作日 5 小时", "已超时 1 个工作日". `elapsed` (seconds since the
// answer came) moves a ticking clock on for the live countdown; `secs` shows seconds.
Hotline.timeLeftText = function (tl, elapsed, secs) {
  if (!tl) return '';
  const moved = tl.ticking ? Math.floor(elapsed || 0) : 0;
  let overdue = tl.overdue, s = tl.overdue ? tl.seconds + moved : tl.seconds - moved;
  if (!overdue && s <= 0) { overdue = true; s = -s; }
  const day = tl.natural ? ' 天' : ' 个工作日';
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), mm = Math.floor((s % 3600) / 60);
  let words;
  if (d && overdue && !tl.natural) words = d + day;
  else if (d) words = d + day + (hh ? ' ' + hh + ' 小时' : '');
  else if (hh) words = hh + ' 小时 ' + mm + ' 分';
  else if (secs) words = mm + ' 分 ' + (s % 60) + ' 秒';
  else words = mm ? mm + ' 分' : '不足 1 分';
  if (overdue) return s < 60 && !secs ? '已超时' : '已超时 ' + words;
  return '剩余 ' + words;
};
// A clock as a badge: its words, and a colour class that repeats its state (tl-ok /
// tl-warning / tl-overdue; the text alone is enough for a colour-blind reader). `live` makes
// it a countdown that moves every second (rapid-response orders).
Hotline.clockBadge = function (clock, live) {
  if (!clock || !clock.time_left) return h('span', {class: 'hint'}, '—');
  const tl = clock.time_left;
  const state = tl.overdue ? 'overdue' : (clock.status === 'overdue' ? 'overdue' : clock.status || 'ok');
  const el = h('span', {class: 'time-left tl-' + state + (live ? ' tl-live' : ''),
    title: (clock.clock_label || '') + (clock.target_label ? '（' + clock.target_label + '）' : '') +
      (clock.due ? ' 截止 ' + Hotline.fmt(clock.due) : '')});
  el._tl = tl; el._t0 = Date.now(); el._state = state;
  Hotline._paintClock(el);
  return el;
};
Hotline._paintClock = function (el) {
  const live = el.classList.contains('tl-live');
  const text = Hotline.timeLeftText(el._tl, live ? (Date.now() - el._t0) / 1000 : 0, live);
  el.textContent = (el._state === 'warning' && !text.startsWith('已超时') ? '即将超时 · ' : '') + text;
  if (text.startsWith('已超时')) { el.classList.remove('tl-ok', 'tl-warning'); el.classList.add('tl-overdue'); }
};
setInterval(() => document.querySelectorAll('.tl-live').forEach(el => { if (el._tl) Hotline._paintClock(el); }), 1000);
// the 快速响应 badge of a rapid-response order (docs/design/domain.md §7)
Hotline.rapidBadge = function (o) {
  return o && o.rapid_item ? h('span', {class: 'badge rapid', title: '快速响应事项'}, '快速响应') : null;
};
