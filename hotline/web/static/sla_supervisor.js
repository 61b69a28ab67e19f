// /supervisor/sla: per-unit counts, and the tabs filtered by the unit picked there (by its
// name: docs/design/ux.md §1).
(async function () {
  Hotline.requireLogin();
  const labels = await Hotline.labels();
  const tabs = await HotlineSla.mountTabs(document.getElementById('sla-tabs'), {tab: 'overdue'});
  const all = document.getElementById('sla-all'), label = document.getElementById('sla-unit-filter');
  const pick = (u) => {
    tabs.setUnit(u);
    label.textContent = u ? '（' + (labels.units.get(u) || '所选单位') + '）' : '';
    all.hidden = !u;
  };
  all.onclick = () => pick('');
  HotlineSla.mountUnits(document.getElementById('sla-units'), pick);
})();
