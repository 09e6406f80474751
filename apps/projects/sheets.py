"""A closed session's ranking as data (the results page, the board, the API) and as a
result sheet (.xlsx with the per-juror scores, the aggregate and the method)."""

from django.utils.translation import gettext as _

from apps.core.exports import Table, xlsx_bytes

from . import selectors
from .models import ReviewSession


def method_text(session: ReviewSession) -> str:
    return _("汇总方法：%(method)s。%(ties)s") % {
        "method": session.get_method_display(),
        "ties": _("得分相同时，依次比较平均总分、最低评委总分；仍相同则并列。"),
    }


def ranking(session: ReviewSession) -> dict:
    """{"session", "method", "rows"}; refuses (409) before the session closes."""
    rows = selectors.results(session)
    return {
        "session": {"id": session.pk, "title": session.title},
        "method": session.method,
        "method_text": method_text(session),
        "rows": [
            {
                "rank": r.rank,
                "project": r.project_id,
                "title": r.project.title,
                "party_org": r.project.party_org.name,
                "aggregate": float(r.aggregate),
                "mean_total": float(r.mean_total),
                "jurors": r.jurors,
            }
            for r in rows
        ],
    }


def result_xlsx(session: ReviewSession) -> bytes:
    rows = selectors.results(session)
    jurors, values = selectors.juror_sheet(session)
    criteria = list(session.criteria.all())
    ranking_table = Table(
        _("排名"),
        [_("名次"), _("项目"), _("党组织"), _("得分"), _("平均总分"), _("有效评委数")],
        [
            [r.rank, r.project.title, r.project.party_org.name, r.aggregate, r.mean_total, r.jurors]
            for r in rows
        ],
    )
    headers = [_("评委"), _("评委类别"), _("项目")] + [f"{c.name}（{c.weight}）" for c in criteria]
    score_rows = []
    for juror in jurors:
        for r in rows:
            given = [values.get((juror.pk, r.project_id, c.pk)) for c in criteria]
            if any(v is not None for v in given):
                score_rows.append(
                    [str(juror.user), juror.get_kind_display(), r.project.title, *given]
                )
    method = Table(_("汇总方法"), [_("说明")], [[method_text(session)]])
    return xlsx_bytes([ranking_table, Table(_("评委评分"), headers, score_rows), method])
