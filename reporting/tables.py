"""Each report as tables and charts: the one shape the page's data tables, the CSV/XLSX exports
(adv/exports.py) and the charts read, so that a chart, its table and its file never disagree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from adv.exports import Column
from adv.months import Month
from deals.models import DealType

from .selectors import BUCKETS, OTHER

TYPE_LABELS = {**dict(DealType.choices), OTHER: _("Sans affaire")}
BUCKET_LABELS = {
    "not_due": _("Non échu"), "late_1_30": _("1 à 30 jours"), "late_31_60": _("31 à 60 jours"),
    "late_61_90": _("61 à 90 jours"), "late_over_90": _("Plus de 90 jours"),
}


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    links: list[str | None] = field(default_factory=list)  # per row: where its first cell leads
    footer: list | None = None
    note: str = ""


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bar" | "stacked" | "line"
    categories: list[str]
    series: list[dict]  # {"name", "data": [float|None], "type"?: "line"|"bar", "unit"?: "money"|"days"|"percent"}
    links: list[str | None] = field(default_factory=list)  # per category: the rows behind a bar
    table: str = ""  # the key of the table with the same figures

    def as_json(self) -> dict:
        return {
            "key": self.key, "title": self.title, "kind": self.kind, "categories": self.categories,
            "series": self.series, "links": self.links,
        }


def _f(value) -> float | None:
    return None if value is None else float(value)


def month_label(day: datetime.date) -> str:
    return Month.of(day).label()


def revenue_tables(report, link) -> tuple[list[Chart], list[Table]]:
    """`link(month, deal_type)` gives the rows behind a bar."""
    labels = [month_label(m.month) for m in report.months]
    series = [
        {"name": str(TYPE_LABELS[t]), "data": [_f(m.by_type[t]) for m in report.months], "type": "bar", "stack": "ca",
         "unit": "money", "links": [link(m.month, t) for m in report.months]}
        for t in report.types
    ]
    series.append({"name": _("Année précédente"), "data": [_f(m.previous_year) for m in report.months], "type": "line",
                   "unit": "money"})
    if report.expected_shown:
        series.append({"name": _("Attendu"), "data": [_f(m.expected) for m in report.months], "type": "line",
                       "unit": "money"})
    chart = Chart("revenue", _("Chiffre d'affaires facturé par mois (HT, net des avoirs)"), "stacked", labels, series,
                  [link(m.month, "") for m in report.months], "revenue")
    columns = [Column(_("Mois"))] + [Column(str(TYPE_LABELS[t]), "money") for t in report.types] + [
        Column(_("Total"), "money"), Column(_("Année précédente"), "money"), Column(_("Évolution (%)"))]
    if report.expected_shown:
        columns.append(Column(_("Attendu"), "money"))
    rows = []
    for m in report.months:
        row = [month_label(m.month), *[m.by_type[t] for t in report.types], m.total, m.previous_year,
               "" if m.versus_previous is None else str(m.versus_previous).replace(".", ",")]
        if report.expected_shown:
            row.append(m.expected)
        rows.append(row)
    footer = [_("Total"), *[sum((m.by_type[t] for m in report.months), Decimal(0)) for t in report.types],
              report.total, report.previous_total, ""]
    if report.expected_shown:
        footer.append(report.expected_total)
    note = ""
    if not report.expected_shown:
        note = _("L'attendu est calculé pour tout le cabinet : il n'est pas montré pour un client, un commercial ou un périmètre.")
    elif report.missing_expected:
        note = _("L'attendu de %(months)s est en cours de calcul.") % {
            "months": ", ".join(month_label(m) for m in report.missing_expected)}
    table = Table("revenue", _("Chiffre d'affaires par mois"), columns, rows,
                  [link(m.month, "") for m in report.months], footer, note)
    return [chart], [table]


def top_tables(clients, deals, with_margin: bool) -> list[Table]:
    def columns(first):
        cols = [Column(first), Column(_("Client")) if first == _("Affaire") else None, Column(_("CA HT"), "money")]
        cols = [c for c in cols if c]
        if with_margin:
            cols += [Column(_("Coût sous-traitance"), "money"), Column(_("Marge"), "money"), Column(_("Taux de marge (%)"))]
        return cols

    def rows(items, with_detail):
        out = []
        for r in items:
            row = [r.label] + ([r.detail] if with_detail else []) + [r.revenue]
            if with_margin:
                row += [r.cost, r.margin, "" if r.margin_rate is None else str(r.margin_rate).replace(".", ",")]
            out.append(row)
        return out

    note = _("Marge = CA − jours facturés des sous-traitants × leur TJM d'achat (les salariés n'ont pas de coût dans l'outil).") if with_margin else ""
    return [
        Table("top_clients", _("Meilleurs clients"), columns(_("Client")), rows(clients, False), note=note),
        Table("top_deals", _("Meilleures affaires"), columns(_("Affaire")), rows(deals, True), note=note),
    ]


def accrual_tables(report, invoice_link) -> tuple[list[Chart], list[Table]]:
    labels = [month_label(p.month_end) for p in report.evolution]
    chart = Chart("accruals", _("FAE et PCA en fin de mois (HT)"), "bar", labels, [
        {"name": _("FAE"), "data": [_f(p.fae) for p in report.evolution], "type": "bar", "unit": "money"},
        {"name": _("PCA"), "data": [_f(p.pca) for p in report.evolution], "type": "bar", "unit": "money"},
    ], [], "accruals_evolution")
    evolution = Table("accruals_evolution", _("FAE et PCA par fin de mois"),
                      [Column(_("Fin de mois"), "date"), Column(_("FAE"), "money"), Column(_("PCA"), "money")],
                      [[p.month_end, p.fae, p.pca] for p in report.evolution])

    def rows_of(items, what):
        return [[r.client, r.number, r.deal_reference, str(TYPE_LABELS.get(r.deal_type, "")),
                 r.month and month_label(r.month), r.amount, r.reason, r.age_days, r.responsible] for r in items]

    columns = [Column(_("Client")), Column(_("Facture")), Column(_("Affaire")), Column(_("Type")), Column(_("Mois")),
               Column(_("Montant HT"), "money"), Column(_("Raison")), Column(_("Âge (jours)"), "int"),
               Column(_("Responsable"))]
    fae = Table("fae", _("FAE au %(date)s") % {"date": report.at.strftime("%d/%m/%Y")}, columns,
                rows_of(report.fae_rows, "fae"), [invoice_link(r.invoice_id) for r in report.fae_rows],
                [_("Total"), "", "", "", "", report.fae_total, "", "", ""],
                _("L'évolution compte les préfactures et factures ; les échéances dues sans préfacture s'ajoutent au mois choisi."))
    pca = Table("pca", _("PCA au %(date)s") % {"date": report.at.strftime("%d/%m/%Y")}, columns,
                rows_of(report.pca_rows, "pca"), [invoice_link(r.invoice_id) for r in report.pca_rows],
                [_("Total"), "", "", "", "", report.pca_total, "", "", ""])
    return [chart], [fae, pca, evolution]


def receivable_tables(report, client_link) -> tuple[list[Chart], list[Table]]:
    aged_chart = Chart("aged", _("Balance âgée au %(date)s (TTC)") % {"date": report.at.strftime("%d/%m/%Y")}, "bar",
                       [str(BUCKET_LABELS[b]) for b in BUCKETS],
                       [{"name": _("Encours"), "data": [_f(report.buckets[b]) for b in BUCKETS], "type": "bar", "unit": "money"}],
                       [], "aged")
    dso_chart = Chart("dso", _("DSO par fin de mois (méthode de l'épuisement)"), "line",
                      [month_label(d) for d, _v in report.dso],
                      [{"name": _("DSO (jours)"), "data": [_f(v) for _d, v in report.dso], "type": "line", "unit": "days"}],
                      [], "dso")
    trend_chart = Chart("delays", _("Retard moyen de paiement par mois d'encaissement"), "line",
                        [month_label(m) for m, _a, _n in report.delay_trend],
                        [{"name": _("Retard moyen (jours)"), "data": [_f(a) for _m, a, _n in report.delay_trend], "type": "line", "unit": "days"}],
                        [], "delay_trend")
    forecast_chart = Chart("forecast", _("Prévision d'encaissement par semaine (échéances)"), "bar",
                           [_("Sem. du %(date)s") % {"date": d.strftime("%d/%m")} for d, _v in report.forecast],
                           [{"name": _("À encaisser"), "data": [_f(v) for _d, v in report.forecast], "type": "bar", "unit": "money"}],
                           [], "forecast")
    aged = Table("aged", _("Balance âgée par client"),
                 [Column(_("Client"))] + [Column(str(BUCKET_LABELS[b]), "money") for b in BUCKETS] + [Column(_("Total"), "money"), Column(_("Factures"), "int")],
                 [[c.client, *[c.buckets[b] for b in BUCKETS], c.total, c.invoices] for c in report.clients],
                 [client_link(c.client_id) for c in report.clients],
                 [_("Total"), *[report.buckets[b] for b in BUCKETS], report.total, ""])
    dso = Table("dso", _("DSO par fin de mois"), [Column(_("Fin de mois"), "date"), Column(_("DSO (jours)"))],
                [[d, "" if v is None else str(v).replace(".", ",")] for d, v in report.dso],
                note=_("Méthode de l'épuisement (countback) : l'encours TTC de fin de mois est imputé sur le CA TTC des mois précédents, du plus récent au plus ancien ; chaque mois entièrement couvert compte ses jours, le dernier au prorata."))
    delays = Table("delays", _("Délai de paiement par client (date de paiement − échéance)"),
                   [Column(_("Client")), Column(_("Factures soldées"), "int"), Column(_("Retard moyen (jours)")), Column(_("Retard médian (jours)"))],
                   [[d.client, d.invoices, str(d.average).replace(".", ","), str(d.median).replace(".", ",")] for d in report.delays],
                   [client_link(d.client_id) for d in report.delays],
                   note=_("Négatif : payé avant l'échéance. Factures soldées dans la période, par la date du paiement qui les solde."))
    trend = Table("delay_trend", _("Retard moyen par mois d'encaissement"),
                  [Column(_("Mois")), Column(_("Retard moyen (jours)")), Column(_("Factures soldées"), "int")],
                  [[month_label(m), "" if a is None else str(a).replace(".", ","), n] for m, a, n in report.delay_trend])
    forecast = Table("forecast", _("Prévision d'encaissement par semaine"),
                     [Column(_("Semaine du")), Column(_("À encaisser TTC"), "money")],
                     [[d.strftime("%d/%m/%Y"), v] for d, v in report.forecast] + [[_("Plus tard"), report.later]],
                     note=_("La première semaine reprend tout ce qui est déjà en retard ; la dernière ligne, ce qui est dû plus tard."))
    return [aged_chart, dso_chart, trend_chart, forecast_chart], [aged, dso, delays, trend, forecast]


def close_tables(report, month_link, invoice_link=None) -> tuple[list[Chart], list[Table]]:
    labels = [month_label(m.month) for m in report.months]
    chart = Chart("close", _("Délai d'émission après la fin du mois"), "bar", labels, [
        {"name": _("Médiane (jours)"), "data": [_f(m.median_days) for m in report.months], "type": "bar", "unit": "days",
         "links": [month_link(m.month) for m in report.months]},
        {"name": _("Émises au 3e jour ouvré (%)"), "data": [_f(m.on_time_percent) for m in report.months], "type": "line",
         "unit": "percent"},
    ], [month_link(m.month) for m in report.months], "close")
    codes = sorted(report.blocked)
    blocked_chart = Chart("blocked", _("Préfactures encore bloquées, par raison"), "stacked", labels, [
        {"name": report.blocked_labels[c], "data": [report.blocked[c].get(m.month, 0) for m in report.months],
         "type": "bar", "stack": "b", "unit": "count"} for c in codes
    ], [], "blocked")
    close = Table("close", _("Clôture par mois facturé"),
                  [Column(_("Mois")), Column(_("Factures émises"), "int"), Column(_("Délai médian (jours)")),
                   Column(_("Émises au 3e jour ouvré"), "int"), Column(_("Part (%)")), Column(_("3e jour ouvré"), "date")],
                  [[month_label(m.month), m.issued, "" if m.median_days is None else str(m.median_days).replace(".", ","),
                    m.by_target, "" if m.on_time_percent is None else str(m.on_time_percent).replace(".", ","), m.deadline]
                   for m in report.months],
                  [month_link(m.month) for m in report.months],
                  note=_("Délai = date d'émission − dernier jour du mois facturé. Jours ouvrés français (week-ends et jours fériés exclus)."))
    blocked = Table("blocked", _("Préfactures bloquées par raison et par mois"),
                    [Column(_("Raison"))] + [Column(label) for label in labels],
                    [[report.blocked_labels[c], *[report.blocked[c].get(m.month, 0) for m in report.months]] for c in codes])
    refused = Table("refused", _("Factures refusées ou rejetées sur la plateforme"),
                    [Column(_("Facture")), Column(_("Date"), "date"), Column(_("Client")), Column(_("Statut")),
                     Column(_("Motif"))],
                    [[r.number, r.day, r.client, r.label, r.reason] for r in report.refusals],
                    [invoice_link(r.invoice_id) for r in report.refusals] if invoice_link else [],
                    note=_("Refusée : par le client ; rejetée : par la plateforme (statuts 210 et 213 du cycle de vie)."))
    charts, table_list = [chart, blocked_chart], [close, blocked, refused]
    if report.blocked_days is not None:
        days = sorted({day for counts in report.blocked_days.values() for day in counts})
        day_labels = [day.strftime("%d/%m/%Y") for day in days]
        reasons = sorted(report.blocked_days)
        charts.append(Chart("blocked_days", _("Préfactures bloquées au fil des jours, par raison"), "line", day_labels, [
            {"name": report.blocked_labels[c], "data": [report.blocked_days[c].get(d, 0) for d in days], "type": "line",
             "unit": "count"} for c in reasons
        ], [], "blocked_days"))
        table_list.append(Table(
            "blocked_days", _("Préfactures bloquées par jour et par raison"),
            [Column(_("Jour"), "date")] + [Column(report.blocked_labels[c], "int") for c in reasons],
            [[d, *[report.blocked_days[c].get(d, 0) for c in reasons]] for d in days],
            note=_("Compté chaque soir, tous mois facturés confondus (pour tout le cabinet, sans filtre)."),
        ))
    return charts, table_list
