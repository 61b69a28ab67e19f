// The department's 即将超时 / 已超时 block (sla_inbox_tabs.html), on /inbox and /inbox/sla.
// Runs once the page (and app.js, loaded at the end of the body) is parsed.
document.addEventListener('DOMContentLoaded', function () {
  Hotline.requireLogin();
  HotlineSla.mountTabs(document.getElementById('sla-tabs'), {tab: 'overdue'});
});
