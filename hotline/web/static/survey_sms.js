// 短信发件箱: every message of the SMS port (return visits, time-limit reminders) with its
// delivery status. The survey link's token is masked by the server: it is the citizen's
// credential, so staff never open the citizen's page from here.
Hotline.requireLogin();
// A time-limit reminder goes to a unit: its recipient is the unit's code, shown by name.
Promise.all([Hotline.api('GET', '/api/v1/sms-outbox'), Hotline.labels()]).then(([j, L]) => {
  const to = (m) => { const r = m.phone || m.recipient || ''; return L.units.get(r) || r; };
  h.fill(document.querySelector('#sms tbody'), j.items.map(m =>
    h('tr', null, h('td', {class: 'nowrap'}, Hotline.fmt(m.created_at)), h('td', null, to(m)),
      h('td', null, m.body), h('td', {class: 'sms-status nowrap'}, m.status_label || ''))),
  j.items.length ? null : h('tr', null, h('td', {colspan: 4}, '暂无短信')));
});
