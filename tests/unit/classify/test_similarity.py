import time

from hotline.classify.similarity import rank_candidates, similar


def test_identical_and_unrelated():
    a = "东城街道碧湖花园门口水管爆裂，水一直往外喷"
    assert similar(a, a) > 0.999
    assert similar(a, "咨询积分入学需要什么材料") < 0.1
    assert similar("", a) == 0.0


def test_same_incident_different_callers_and_phones():
    a = "市民来电反映：东城街道碧湖花园门口水管爆裂，水一直往外喷。联系电话13812345678"
    b = "東城街道碧湖花園門口水管爆裂了，水一直往外噴，电话13900001111"
    c = "南城街道有流动摊贩占道经营，城管来了就走"
    assert similar(a, b) > 0.6 > similar(a, c)


def test_rank_candidates_orders_and_filters():
    text = "樟木头镇新联村路灯不亮，整条路黑漆漆"
    cands = [(1, "南城街道医院挂号太难"), (2, "樟木头镇新联村路灯坏了，整条路黑漆漆的"), (3, "樟木头镇新联村的路灯不亮")]
    out = rank_candidates(text, cands, threshold=0.5)
    assert [i for i, _ in out] == [2, 3] or [i for i, _ in out] == [3, 2]
    assert all(s >= 0.5 for _, s in out) and out[0][1] >= out[-1][1]
    assert 1 not in [i for i, _ in out]


def test_fast_enough_for_200_candidates():
    cands = [(i, f"第{i}号 东莞市某镇某村第{i}巷路灯不亮已经很久没人修了，晚上出行很不安全，希望尽快处理") for i in range(200)]
    t = time.perf_counter()
    rank_candidates("某村路灯不亮很久没人修", cands, threshold=0.3)
    assert time.perf_counter() - t < 0.5
