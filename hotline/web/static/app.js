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
  fieldErrors(err) {
    const f = (err.body && err.body.error && err.body.error.fields) || {};
    return Object.entries(f).map(([k, v]) => k + ': ' + v.join('; ')).join('  ');
  },
};
(function nav() {
  const l = Hotline.login(); const nav = document.getElementById('nav'); if (!nav || !l) return;
  const links = {agent: [['/intake', '受理登记']], dispatcher: [['/intake', '受理登记'], ['/dispatch', '派单与审核']],
    department: [['/inbox', '本单位工单']], supervisor: [['/supervisor', '督办与报表'], ['/supervisor/arbitration', '裁定']], leader: [['/supervisor', '报表']],
    admin: [['/intake', '受理登记'], ['/admin', '系统管理']]}[l.role] || [];
  // the knowledge base (issue 16): units keep their articles, the centre reviews them
  if (['department', 'supervisor', 'admin', 'agent', 'dispatcher', 'leader'].includes(l.role)) links.push(['/knowledge', '知识库']);
  if (['supervisor', 'leader', 'admin'].includes(l.role)) links.push(['/knowledge/report', '直接答复报表']);
  // built with dom.js (text nodes only): a user's display name is data
  h.fill(nav, links.map(([href, t]) => h('a', {href}, t)), h('a', {href: '/docs'}, 'API'));
  h.fill(document.getElementById('whoami'), (l.name || l.username) + ' · ' + l.role);
})();
(function logoutButton() {
  const b = document.getElementById('logout'); if (!b) return;
  b.hidden = !Hotline.login();
  b.addEventListener('click', () => { Hotline.logout(); });
})();
