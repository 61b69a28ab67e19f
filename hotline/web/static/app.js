// Shared helpers of the browser pages: login state and API calls with the bearer token.
const Hotline = {
  saveLogin(j) { sessionStorage.setItem('hotline', JSON.stringify(j)); },
  login() { try { return JSON.parse(sessionStorage.getItem('hotline')); } catch (e) { return null; } },
  logout() { sessionStorage.removeItem('hotline'); location.href = '/login'; },
  homeFor(role) {
    return {agent: '/intake', dispatcher: '/dispatch', department: '/inbox', supervisor: '/supervisor',
            leader: '/supervisor', admin: '/intake'}[role] || '/intake';
  },
  requireLogin() {
    const l = Hotline.login();
    if (!l) { location.href = '/login'; throw new Error('not logged in'); }
    return l;
  },
  async api(method, path, body, headers) {
    const l = Hotline.login();
    const opts = {method, headers: Object.assign({}, headers || {})};
    if (l) opts.headers['Authorization'] = 'Bearer ' + l.token;
    if (body !== undefined) { opts.headers['Content-Type'] = 'application/json'; opts.body = JSON.stringify(body); }
    const r = await fetch(path, opts);
    if (r.status === 401) { Hotline.logout(); }
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
  // built with dom.js (text nodes only): a user's display name is data (issue 12)
  h.fill(nav, links.map(([href, t]) => h('a', {href}, t)), h('a', {href: '/docs'}, 'API'));
  h.fill(document.getElementById('whoami'), (l.name || l.username) + ' · ' + l.role + ' ',
         h('a', {href: '#', id: 'logout'}, '退出'));
  document.getElementById('logout').onclick = (e) => { e.preventDefault(); Hotline.logout(); };
})();
