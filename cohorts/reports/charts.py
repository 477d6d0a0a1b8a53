"""The dashboard's charts as geometry for inline SVG drawn by the server: no script, no
external resource, and each chart carries a title, a description and the table of its
figures (the accessible alternative). Pure functions of a ``CohortReport``."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cohorts.reports.figures import CohortReport
from cohorts.reports.sections import FUNNEL_LABELS

WIDTH = 640
LABEL_WIDTH = 170
ROW_HEIGHT = 28
BAR_HEIGHT = 18
PLOT_HEIGHT = 180
TOP = 12
AXIS = 36


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str
    tip: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "start"
    css: str = ""


@dataclass
class Chart:
    key: str
    title: str
    description: str
    height: float
    width: float = WIDTH
    rects: list[Rect] = field(default_factory=list)
    texts: list[Text] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    table_header: list[str] = field(default_factory=list)
    table_rows: list[list[Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(r.width > 0 and r.height > 0 for r in self.rects)


def _fmt(value) -> str:
    if isinstance(value, Decimal):
        return number_format(value, decimal_pos=2 if value != value.to_integral() else 0)
    return number_format(value)


def _scale(values: list[float | Decimal]) -> float:
    top = max((float(v) for v in values), default=0)
    return top if top > 0 else 1


def funnel_chart(report: CohortReport) -> Chart:
    steps = report.funnel.steps()
    top = _scale([v for _k, v in steps])
    room = WIDTH - LABEL_WIDTH - 60
    chart = Chart(
        key="funnel",
        title=_("Selection funnel"),
        description=_("From applications to completed paths: %(steps)s.")
        % {"steps": "; ".join(f"{FUNNEL_LABELS[k]} {v}" for k, v in steps)},
        height=TOP + ROW_HEIGHT * len(steps) + 8,
        table_header=[_("Step"), _("Number")],
        table_rows=[[str(FUNNEL_LABELS[k]), v] for k, v in steps],
    )
    for index, (key, value) in enumerate(steps):
        y = TOP + index * ROW_HEIGHT
        width = room * value / top
        chart.texts.append(Text(LABEL_WIDTH - 8, y + BAR_HEIGHT - 4, str(FUNNEL_LABELS[key]), "end"))
        chart.rects.append(
            Rect(LABEL_WIDTH, y, width, BAR_HEIGHT, f"bar funnel-{key}", f"{FUNNEL_LABELS[key]}: {value}")
        )
        chart.texts.append(Text(LABEL_WIDTH + width + 6, y + BAR_HEIGHT - 4, _fmt(value), css="value"))
    return chart


def _vertical(chart: Chart, groups: list[tuple[str, list[tuple[Decimal | int, str, str]]]], top: float) -> None:
    """Bars grouped along the x axis: (group label, [(value, css, tip), ...])."""
    left, plot_width = 44, WIDTH - 56
    slot = plot_width / max(len(groups), 1)
    per_group = max((len(bars) for _label, bars in groups), default=1)
    bar_width = min(48.0, slot * 0.8 / per_group)
    base = TOP + PLOT_HEIGHT
    chart.lines.append({"x1": left, "y1": base, "x2": WIDTH - 8, "y2": base, "css": "axis"})
    chart.texts.append(Text(left - 6, TOP + 10, _fmt(Decimal(str(top)).normalize()), "end", "tick"))
    chart.texts.append(Text(left - 6, base, "0", "end", "tick"))
    for index, (label, bars) in enumerate(groups):
        start = left + index * slot + (slot - bar_width * len(bars)) / 2
        for position, (value, css, tip) in enumerate(bars):
            height = PLOT_HEIGHT * float(value) / top
            chart.rects.append(Rect(start + position * bar_width, base - height, bar_width - 2, height, css, tip))
        chart.texts.append(Text(left + index * slot + slot / 2, base + 16, label, "middle", "tick"))


def attendance_chart(report: CohortReport) -> Chart:
    t = report.training
    bands = t.distribution
    top = _scale([b["participants"] for b in bands])
    chart = Chart(
        key="attendance",
        title=_("Attendance distribution"),
        description=_(
            "Participants by attendance band. Average attendance %(average)s %%; %(completed)s of %(counted)s "
            "participants at or above the completion threshold."
        )
        % {
            "average": _fmt(t.average_attendance_pct) if t.average_attendance_pct is not None else "-",
            "completed": t.completed,
            "counted": t.participants_with_figure,
        },
        height=TOP + PLOT_HEIGHT + AXIS,
        table_header=[_("Attendance (%)"), _("Participants")],
        table_rows=[[f"{b['from']}-{b['to']}", b["participants"]] for b in bands],
    )
    thresholds = {int(th["completion_threshold"]) // 10 for th in t.thresholds}
    _vertical(
        chart,
        [
            (
                f"{b['from']}",
                [
                    (
                        b["participants"],
                        "bar band-ok" if b["from"] // 10 >= min(thresholds, default=7) else "bar band-low",
                        _("%(from)s-%(to)s %%: %(n)s participants")
                        % {"from": b["from"], "to": b["to"], "n": b["participants"]},
                    )
                ],
            )
            for b in bands
        ],
        top,
    )
    chart.legend = [("band-low", _("below the completion threshold")), ("band-ok", _("at or above it"))]
    return chart


def months_chart(report: CohortReport) -> Chart:
    months = report.months
    top = _scale([m["training_hours"] for m in months] + [m["tutoring_hours"] for m in months])
    chart = Chart(
        key="months",
        title=_("Hours per month"),
        description=_(
            "Training hours delivered and tutoring hours per month: %(total_training)s h of training, "
            "%(total_tutoring)s h of tutoring."
        )
        % {"total_training": _fmt(report.training.hours_delivered), "total_tutoring": _fmt(report.tutoring.hours)},
        height=TOP + PLOT_HEIGHT + AXIS,
        table_header=[_("Month"), _("Training hours"), _("Tutoring hours")],
        table_rows=[[m["month"], m["training_hours"], m["tutoring_hours"]] for m in months],
        legend=[("training", _("training")), ("tutoring", _("tutoring"))],
    )
    _vertical(
        chart,
        [
            (
                m["month"][2:].replace("-", "/") if len(months) > 6 else m["month"],
                [
                    (
                        m["training_hours"],
                        "bar training",
                        _("%(month)s: %(h)s h of training") % {"month": m["month"], "h": _fmt(m["training_hours"])},
                    ),
                    (
                        m["tutoring_hours"],
                        "bar tutoring",
                        _("%(month)s: %(h)s h of tutoring") % {"month": m["month"], "h": _fmt(m["tutoring_hours"])},
                    ),
                ],
            )
            for m in months
        ],
        top,
    )
    return chart


def milestones_chart(report: CohortReport) -> Chart:
    rows = report.milestones.by_template
    room = WIDTH - LABEL_WIDTH - 60
    top = _scale([r["total"] for r in rows])
    parts = (
        ("achieved", _("achieved")),
        ("overdue", _("overdue")),
        ("missed", _("missed")),
        ("waived", _("waived")),
        ("open", _("not yet due")),
    )
    chart = Chart(
        key="milestones",
        title=_("Milestone progress"),
        description=_("%(achieved)s of %(total)s milestones achieved, %(overdue)s overdue.")
        % {
            "achieved": report.milestones.achieved,
            "total": report.milestones.total,
            "overdue": report.milestones.overdue,
        },
        height=TOP + ROW_HEIGHT * max(len(rows), 1) + 8,
        table_header=[_("Milestone"), _("Total"), *[label for _k, label in parts[:-1]]],
        table_rows=[[r["title"], r["total"], r["achieved"], r["overdue"], r["missed"], r["waived"]] for r in rows],
        legend=[(f"ms-{key}", label) for key, label in parts],
    )
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        title = row["title"] if len(row["title"]) <= 24 else row["title"][:23] + "…"
        chart.texts.append(Text(LABEL_WIDTH - 8, y + BAR_HEIGHT - 4, title, "end"))
        values = {
            "achieved": row["achieved"],
            "overdue": row["overdue"],
            "missed": row["missed"],
            "waived": row["waived"],
        }
        values["open"] = row["total"] - sum(values.values())
        x = LABEL_WIDTH
        for key, label in parts:
            width = room * values[key] / top
            chart.rects.append(Rect(x, y, width, BAR_HEIGHT, f"bar ms-{key}", f"{row['title']}: {values[key]} {label}"))
            x += width
        chart.texts.append(Text(x + 6, y + BAR_HEIGHT - 4, f"{row['achieved']}/{row['total']}", css="value"))
    return chart


def all_charts(report: CohortReport) -> list[Chart]:
    return [funnel_chart(report), attendance_chart(report), months_chart(report), milestones_chart(report)]
