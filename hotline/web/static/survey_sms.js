// 短信发件箱 (the built-in SMS channel): each message with a link to its survey page.
Hotline.requireLogin();
Hotline.api('GET', '/api/v1/sms-outbox').then(j => {
  h.fill(document.querySelector('#sms tbody'), j.items.map(m => {
    // the survey link's own path only (/s/<token>), whatever host the message names
    const token = (m.body.match(/https?:\/\/\S+\/s\/([\w-]+)/) || [])[1];
    const path = token ? '/s/' + token : '';
    return h('tr', null, h('td', null, m.created_at), h('td', null, m.phone),
      h('td', null, m.body + ' ', path ? h('a', {class: 'sms-link', href: path}, '打开') : null));
  }), j.items.length ? null : h('tr', null, h('td', {colspan: 3}, '暂无短信')));
});
