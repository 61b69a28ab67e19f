// 短信发件箱: every message of the SMS port (return visits, time-limit reminders) with its
// delivery status. The survey link's token is masked by the server: it is the citizen's
// credential, so staff never open the citizen's page from here.
Hotline.requireLogin();
Hotline.api('GET', '/api/v1/sms-outbox').then(j => {
  h.fill(document.querySelector('#sms tbody'), j.items.map(m =>
    h('tr', null, h('td', null, m.created_at), h('td', null, m.phone || m.recipient || ''),
      h('td', null, m.body), h('td', {class: 'sms-status'}, m.status_label || ''))),
  j.items.length ? null : h('tr', null, h('td', {colspan: 4}, '暂无短信')));
});
