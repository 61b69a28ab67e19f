import io
from datetime import date

import pytest

from hotline.knowledge.domain.article import (
    Article,
    ArticleError,
    Status,
    export_csv,
    parse_csv,
)

HEADER = "id,dept,question,answer,keywords,contact_phone,start_date,end_date,post_date\n"


def test_parses_taipei_columns():
    text = HEADER + ('X1,社會局,問題一？,"第一行\n第二行","甲,乙",1999,'
                     '2015-01-06 09:19:00,2100-10-21 23:59:00,2015-01-06 00:00:00\n')
    res = parse_csv(io.StringIO(text))
    assert not res.errors
    a = res.articles[0]
    assert a.id == "X1" and a.unit == "社會局" and a.answer == "第一行\n第二行"
    assert a.keywords == ("甲", "乙") and a.status == Status.PUBLISHED and a.version == 1
    assert a.start_date == date(2015, 1, 6) and a.end_date == date(2100, 10, 21)


def test_bad_rows_are_reported_with_row_and_field():
    text = HEADER + ("X1,d,q,a,,,not-a-date,,\n"
                     "X2,d,,a,,,,,\n"
                     "X3,d,q,a,,,2017-01-02,2016-01-01,\n"
                     "X4,d,q,a,,,,,\n"
                     "X4,d,q,a,,,,,\n")
    res = parse_csv(io.StringIO(text))
    assert [(e.row, e.field) for e in res.errors] == [
        (1, "start_date"), (2, "question"), (3, "end_date"), (5, "id")]
    assert [a.id for a in res.articles] == ["X4"]


def test_missing_required_column():
    with pytest.raises(ArticleError) as exc:
        parse_csv(io.StringIO("id,question\nX,q\n"))
    assert exc.value.field == "answer"


def test_validity_window_inclusive_and_open_ends():
    a = Article("X", "q", "a", start_date=date(2017, 1, 1), end_date=date(2017, 12, 31))
    assert a.valid_on(date(2017, 1, 1)) and a.valid_on(date(2017, 12, 31))
    assert not a.valid_on(date(2016, 12, 31)) and not a.valid_on(date(2018, 1, 1))
    assert Article("Y", "q", "a").valid_on(date(1900, 1, 1))
    assert not Article("Z", "q", "a", status=Status.DRAFT).servable(date(2017, 1, 1))


def test_export_round_trips():
    arts = [Article("X", "問？", "答\n二", unit="u", category="c", keywords=("k1", "k2"),
                    alternatives=("另問一", "另問二"), start_date=date(2017, 1, 1),
                    review_date=date(2018, 1, 1), status=Status.IN_REVIEW, version=3)]
    text = export_csv(arts)
    back = parse_csv(io.StringIO(text))
    assert not back.errors and back.articles == arts
