"""The payment-links tables fit a 1366 px screen in Ukrainian (issue 17: the «За
призначенням» table's last column was clipped to «9… ОПЛАЧЕ…», «10 го»): a long purpose
(«Передоплата зі списку очікування») wraps instead of pushing the columns out, and the
time columns say «за», not the longer «протягом»."""

from __future__ import annotations

from zapys.reports.tests.test_funnel import _build


def test_the_stage_tables_read_short_and_let_a_long_label_wrap(staff_client, client, org, today):
    _build(org, client)
    html = staff_client.get("/reports/payment-links/", {"period": "this_month"}).content.decode()
    assert "Оплачено за (медіана)" in html and "90% оплачено за" in html
    assert "протягом" not in html
    assert 'data-testid="stage-label"' in html
    # a purpose may wrap; an hour («08:00–08:59») and a channel stay on one line
    assert 'class="text-wrap" style="min-width:9rem" data-testid="stage-label"' in html
    assert 'class="text-nowrap" data-testid="stage-label"' in html
