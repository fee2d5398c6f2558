"""`/admin/payments` (list, CSV export, confirm a pay-desk payment) and `/admin/stats/revenue`
(staff; an operator sees its own lots' payments)."""

from collections.abc import Iterator

from flask import Blueprint, Response, stream_with_context

from api_service.access import STAFF, current_tenant
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.models.common import IdPath
from api_service.models.payments import (
    AdminPaymentPage,
    AdminPaymentView,
    ExportQuery,
    PaymentQuery,
    RevenueDay,
    RevenueQuery,
    RevenueStats,
)
from api_service.payments import csv_export
from api_service.resources.admin_common import PREFIX
from api_service.resources.payments import admin_payment_view
from api_service.services import admin_stats, pagination, payments
from api_service.services.admin_lots import lot_for

bp = Blueprint("admin_payments", __name__, url_prefix=PREFIX)
TAG = "admin: payments"


def _selection(query: ExportQuery | PaymentQuery) -> payments.Selection:
    lot = lot_for(db_session(), current_tenant(), query.lot_id) if query.lot_id else None
    return payments.Selection(lot.id if lot else None, query.from_, query.to, query.state)


@bp.get("/payments")
@endpoint(
    RouteSpec(
        "Payments of my lots, newest first, by lot, creation window and state",
        STAFF,
        TAG,
        rate="user",
        query=PaymentQuery,
        response=AdminPaymentPage,
        errors=(403, 404),
    )
)
def list_payments(query: PaymentQuery) -> AdminPaymentPage:
    before = pagination.decode_id(query.cursor)
    reads = payments.list_payments(
        db_session(), current_tenant(), _selection(query), before=before, limit=query.limit
    )
    return AdminPaymentPage(
        items=[admin_payment_view(read) for read in reads],
        next_cursor=pagination.next_cursor(reads, query.limit, lambda read: read.id),
    )


@bp.get("/payments/export.csv")
@endpoint(
    RouteSpec(
        "The same selection as CSV, every row, streamed (formula-like cells defused with ')",
        STAFF,
        TAG,
        rate="user",
        query=ExportQuery,
        errors=(403, 404),
        media_type="text/csv",
    )
)
def export(query: ExportQuery) -> Response:
    where = _selection(query)  # checks the lot before the first byte goes out
    tenant = current_tenant()

    def rows() -> Iterator[str]:
        reads = payments.export_payments(db_session(), tenant, where)
        yield from csv_export.lines(
            (r.id, r.created_at, r.lot_code, r.session_id, r.user_id, r.provider,
             r.provider_ref, r.state.value, r.amount_minor, r.currency, r.succeeded_at,
             r.refunded_at, r.updated_at)
            for r in reads
        )  # fmt: skip

    response = Response(stream_with_context(rows()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="payments.csv"'
    return response


@bp.post("/payments/<int:id>/confirm")
@endpoint(
    RouteSpec(
        "Confirm a pay-desk (manual) payment as paid; audited",
        STAFF,
        TAG,
        rate="user",
        path=IdPath,
        response=AdminPaymentView,
        errors=(403, 404, 409),
    )
)
def confirm(path: IdPath) -> AdminPaymentView:
    read = payments.confirm_manual(db_session(), current_tenant(), path.id, utcnow())
    return admin_payment_view(read)


@bp.get("/stats/revenue")
@endpoint(
    RouteSpec(
        "Revenue of a lot per local day and currency: payments succeeded minus refunded",
        STAFF,
        TAG,
        rate="user",
        query=RevenueQuery,
        response=RevenueStats,
        errors=(403, 404),
    )
)
def revenue(query: RevenueQuery) -> RevenueStats:
    session = db_session()
    lot = lot_for(session, current_tenant(), query.lot_id)
    days = admin_stats.revenue_per_day(session, lot.id, lot.timezone, (query.from_, query.to))
    return RevenueStats(
        lot_id=lot.code,
        timezone=lot.timezone,
        from_=query.from_,
        to=query.to,
        days=[
            RevenueDay(
                day=d.day,
                currency=d.currency,
                succeeded_minor=d.succeeded_minor,
                refunded_minor=d.refunded_minor,
                net_minor=d.net_minor,
            )
            for d in days
        ],
    )
