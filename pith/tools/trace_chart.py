"""An IPC log (pith/tools/ipc_log.py) as a message sequence chart, drawn with matplotlib.

Processes are columns (in the order they first take part), time runs down the page one
row per message, in the order the kernel saw them: a call is a solid arrow from the
caller to the server labelled with the request type and size, its reply a dashed arrow
back (red: the error that ended the call instead), a send or notification signal a
dotted one. A reply that comes straight after its call shares the call's row (the arrows
one above the other), and a run of the same call and reply is one row ("×5"), so a run
of quick calls stays short. Starts, restarts and deaths are written on the process's
lifeline. The left margin gives each row's time in µs from the start of the log. `skip`
and `limit` choose the rows drawn (a long run is unreadable whole); a note says how many
were left out. The file's suffix (.svg, .png, .pdf) chooses the format.
Entry point: `draw(log, path, skip, limit)`; `rows(log)` is what it draws.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pith.tools.ipc_log import IpcLog

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["LIMIT", "Row", "draw", "rows"]

LIMIT = 120  # rows drawn by default


class Row(NamedTuple):
    """One row of the chart: an arrow from `src` to `dst` (pids) or, `dst` 0, a note
    on `src`'s lifeline; `style` is call, reply, error, send or mark. A call answered
    at once has its reply here too (`back`, `back_style`); `call` is the call's id."""

    ns: int
    src: int
    dst: int
    label: str
    style: str
    call: int = 0
    back: str = ""
    back_style: str = ""


def rows(log: IpcLog) -> list[Row]:
    """The chart's rows, in time order."""
    out: list[Row] = []
    for c in log.calls:
        if not c.dst:
            if c.error:
                out.append(Row(c.ended or c.issued, c.src, 0, f"{c.request}: {c.error}", "mark"))
            continue
        out.append(Row(c.issued, c.src, c.dst, f"{c.request} ({c.size} B)", "call", c.id))
        if c.ended is not None and c.error:
            out.append(Row(c.ended, c.dst, c.src, c.error, "error", c.id))
        elif c.ended is not None:
            out.append(Row(c.ended, c.dst, c.src, f"{c.reply} ({c.reply_size} B)", "reply",
                           c.id))
    for s in log.sends:
        if s.src and s.src != s.dst:
            out.append(Row(s.ns, s.src, s.dst, s.what, "send"))
    for m in log.marks:
        if m.kind in ("start", "restart", "death", "timeout"):
            out.append(Row(m.ns, m.pid, 0, f"{m.kind}" if m.kind == "start" else
                           f"{m.kind}: {m.detail}", "mark"))
    out.sort(key=lambda r: r.ns)
    return _paired(out)


def _paired(out: list[Row]) -> list[Row]:
    """`out` with each reply that follows its call at once folded into the call's row."""
    paired: list[Row] = []
    for r in out:
        last = paired[-1] if paired else None
        if (last is not None and r.style in ("reply", "error") and last.style == "call"
                and last.call == r.call and not last.back):
            paired[-1] = last._replace(back=r.label, back_style=r.style)
        else:
            paired.append(r)
    return _runs(paired)


def _runs(out: list[Row]) -> list[Row]:
    """`out` with each run of rows alike (the same arrows and labels) as its first,
    counted: "Fstat (16 B) ×3"."""
    runs: list[tuple[Row, int]] = []
    for r in out:
        if runs and r.style != "mark" and _alike(runs[-1][0], r):
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((r, 1))
    return [r if n == 1 else r._replace(label=f"{r.label} ×{n}") for r, n in runs]


def _alike(a: Row, b: Row) -> bool:
    return (a.src, a.dst, a.label, a.style, a.back, a.back_style) == \
        (b.src, b.dst, b.label, b.style, b.back, b.back_style)


_STYLE = {"call": ("-", "#1f5fa8"), "reply": ("--", "#5a8f3c"), "error": ("--", "#c0392b"),
          "send": (":", "#8e44ad")}


def draw(log: IpcLog, path: Path, skip: int = 0, limit: int = LIMIT) -> int:
    """Draw rows skip..skip+limit of `log` to `path`; the number of rows drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    every = rows(log)
    shown = every[skip:skip + limit]
    columns: list[int] = []
    for r in shown:
        columns += [p for p in (r.src, r.dst) if p and p not in columns]
    x = {pid: i for i, pid in enumerate(columns)}
    height = len(shown) + 2
    fig, ax = plt.subplots(figsize=(max(6.0, 1.7 * len(columns) + 1.5), 0.5 * height + 1),
                           dpi=100)
    ax.set_xlim(-0.8, max(len(columns) - 0.4, 1))
    ax.set_ylim(height, -1)
    ax.axis("off")
    for pid, i in x.items():
        name = log.procs[pid].name if pid in log.procs else str(pid)
        ax.text(i, -0.5, name, ha="center", va="bottom", fontsize=10, weight="bold",
                bbox={"boxstyle": "round", "fc": "#eef2f7", "ec": "#7b8a9a"})
        ax.plot([i, i], [0, height - 1], color="#b8c0c8", lw=0.8, zorder=0)
    for n, r in enumerate(shown, start=1):
        _row(ax, x, n, r, log.first)
    left = len(every) - len(shown)
    if left:
        ax.text(-0.8, height - 0.6, f"({skip} rows before and {left - skip} after not drawn: "
                f"--from, --limit)", fontsize=7, color="#666", va="center")
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)
    return len(shown)


def _save(fig: Figure, path: Path) -> None:
    """Save `fig` to `path`: an SVG with its text as text, a PNG in a palette of 64
    colours (a third of the size, the same to the eye), anything else as matplotlib does."""
    import matplotlib

    if path.suffix.lower() != ".png":
        with matplotlib.rc_context({"svg.fonttype": "none"}):
            fig.savefig(path)
        return
    from PIL import Image

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    buffer.seek(0)
    with Image.open(buffer) as image:
        image.convert("RGB").quantize(colors=64).save(path, format="PNG", optimize=True)


def _row(ax: Axes, x: dict[int, int], n: int, r: Row, first: int) -> None:
    """Draw one row at height `n`."""
    ax.text(-0.75, n, f"{(r.ns - first) / 1000:9.0f} µs", fontsize=6, color="#888",
            va="center", family="monospace")
    if not r.dst:
        ax.text(x[r.src] + 0.05, n, r.label, fontsize=7, style="italic", color="#444",
                va="center")
        return
    a, b = x[r.src], x[r.dst]
    if not r.back:
        _arrow(ax, a, b, n, r.label, r.style, above=True)
        return
    _arrow(ax, a, b, n - 0.14, r.label, r.style, above=True)
    _arrow(ax, b, a, n + 0.14, r.back, r.back_style, above=False)


def _arrow(ax: Axes, a: int, b: int, y: float, label: str, style: str, above: bool) -> None:
    line, color = _STYLE[style]
    ax.annotate("", xy=(b, y), xytext=(a, y),
                arrowprops={"arrowstyle": "-|>", "linestyle": line, "color": color, "lw": 1.0,
                            "shrinkA": 0, "shrinkB": 0})
    ax.text((a + b) / 2, y - 0.04 if above else y + 0.04, label, fontsize=7, color=color,
            ha="center", va="bottom" if above else "top")
