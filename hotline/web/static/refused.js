// The refusal page (issue 15): its link leads to the role's own start page.
(function () {
  const l = Hotline.login(); const a = document.getElementById('refused-home');
  if (l && a) a.setAttribute('href', Hotline.homeFor(l.role));
  const r = document.getElementById('refused-role');
  if (l && r) r.textContent = '「' + Hotline.roleName(l.role) + '」';
})();
