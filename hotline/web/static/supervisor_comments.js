// /supervisor/comments: the citizens' comments of the return visits and the repeat-appeal hot
// spots of the period.
(function () {
  const {$} = Sup;
  async function load() {
    Sup.showPeriod(null);
    const [c, s] = await Promise.all([Hotline.api('GET', '/api/v1/reports/comments?' + Sup.query()),
                                      Hotline.api('GET', '/api/v1/reports/hot-spots?' + Sup.query())]);
    Sup.table($('comments'), c, {empty: '统计期内暂无市民评价意见'});
    Sup.table($('hot-spots'), s, {empty: '统计期内暂无重复诉求'});
  }
  Sup.start(load);
})();
