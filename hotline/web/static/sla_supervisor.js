// /supervisor/sla: per-unit counts, and the tabs filtered by the unit picked there.
(async function () {
  Hotline.requireLogin();
  const tabs = await HotlineSla.mountTabs(document.getElementById('sla-tabs'), {tab: 'overdue'});
  const all = document.getElementById('sla-all'), label = document.getElementById('sla-unit-filter');
  const pick = (u) => { tabs.setUnit(u); label.textContent = u ? '（' + u + '）' : ''; all.hidden = !u; };
  all.onclick = () => pick('');
  HotlineSla.mountUnits(document.getElementById('sla-units'), pick);
})();
