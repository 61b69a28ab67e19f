"""Small synthetic knowledge base (Traditional Chinese, like the Taipei FAQ the engine is
measured on; invented text, no rows of that data set)."""
from __future__ import annotations

from datetime import date

import pytest

from hotline.knowledge.domain.article import Article
from hotline.knowledge.domain.index import KnowledgeIndex

ARTICLES = [
    Article("A1", "申請身心障礙手冊需要準備哪些文件？", "請攜帶身分證、一吋照片及診斷證明書至戶籍所在地區公所辦理。",
            unit="社會局", keywords=("身心障礙", "手冊")),
    Article("A2", "如何申辦國民身分證補發？", "身分證遺失者，請本人攜帶戶口名簿及照片至戶政事務所申請補發，規費新臺幣二百元。",
            unit="民政局"),
    Article("A3", "路邊停車費如何繳納？", "路邊停車費可於超商、悠遊卡或行動支付繳納，逾期未繳將寄發催繳單。",
            unit="交通局", keywords=("停車費",)),
    Article("A4", "勞工保險退休給付如何請領？", "年滿六十歲且勞保年資合計滿十五年者，得請領老年年金給付。",
            unit="勞動局"),
    Article("A5", "2016年運動會報名方式", "2016年運動會報名自即日起至五月底止，請至體育局網站報名。",
            unit="體育局", start_date=date(2016, 1, 1), end_date=date(2016, 12, 31)),
    Article("A6", "垃圾清運時間為何？", "本市垃圾車每週一、二、四、五、六晚間收運，週三及週日停收。",
            unit="環保局"),
    Article("A7", "犬隻寵物登記如何辦理？", "飼主應攜帶身分證明文件及犬隻至動物醫院辦理寵物登記並植入晶片。",
            unit="動物保護處"),
    Article("A8", "計程車乘車糾紛如何申訴？", "搭乘計程車遇有糾紛，請記下車號及時間，撥打交通局申訴專線。",
            unit="交通局"),
]

AS_OF = date(2017, 8, 31)


@pytest.fixture(scope="session")
def index_articles():
    return list(ARTICLES)


@pytest.fixture()
def index():
    return KnowledgeIndex(ARTICLES)
