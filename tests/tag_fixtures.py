"""A two-column strategy PDF for the tagging tests and benchmarks/eval_tag.py (built from real plan text)."""

from __future__ import annotations

from pathlib import Path

import yaml
from tests import ingest_fixtures as fx

STRATEGY = Path(__file__).parent / "data" / "tag" / "two_column" / "strategi.yaml"


def strategy() -> dict:
    return yaml.safe_load(STRATEGY.read_text(encoding="utf-8"))


def strategy_pdf(path: Path) -> dict:
    """A two-column strategy over three pages, built from tests/data/tag/two_column/strategi.yaml.

    Running header and footer, a full-width title, introduction and section heading, then 4 capitalised
    goals with 3 capitalised bullet sub-goals each and their sentences, flowing down the left column, on in
    the right one and over to the next page; a paragraph may break between columns, as in a real layout.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas as rl_canvas

    fx.register_font()
    plan = strategy()
    width, height = A4
    margin, gap, bottom, pitch = 56.0, 28.0, 60.0, 14.0
    column = (width - 2 * margin - gap) / 2
    # blocks: (may break between columns, [(font size, x offset, text)], space above)
    blocks: list[tuple[bool, list[tuple[float, float, str]], float]] = []
    for item in plan["goals"]:
        blocks.append((False, [(12, 0, line) for line in fx._wrap(item["goal"], column, 12)], 16))
        for bullet in item["subgoals"]:
            wrapped = fx._wrap(bullet, column - 12, 10)
            lines = [(10, 0, "• " + wrapped[0])] + [(10, 12, line) for line in wrapped[1:]]
            blocks.append((False, lines, 3))
        for text in [*item["activities"], *item["background"]]:
            blocks.append((True, [(10, 0, line) for line in fx._wrap(text, column, 10)], 8))
    c = rl_canvas.Canvas(str(path), pagesize=A4)
    page = 1

    def furniture() -> None:
        c.setFont(fx.FONT, 8)
        c.drawString(margin, height - 40, plan["header"][0])
        c.drawRightString(width - margin, height - 40, plan["header"][1])
        c.drawCentredString(width / 2, 30, str(page))

    furniture()
    c.setFont(fx.FONT, 18)
    c.drawString(margin, height - 84, plan["title"])
    top = fx._draw_paragraphs(c, plan["intro"], margin, height - 112, width - 2 * margin)
    c.setFont(fx.FONT, 14)
    c.drawString(margin, top - 8, plan["section"])
    column_top = top - 40
    x, y, col = margin, column_top, 0
    for splittable, lines, above in blocks:
        if y < column_top:
            y -= above
        pending = list(lines)
        while pending:
            room = int((y - bottom) // pitch)
            if room < (1 if splittable else len(pending)):
                col += 1
                if col == 2:
                    c.showPage()
                    page += 1
                    furniture()
                    col, column_top = 0, height - 80
                x, y = margin + col * (column + gap), column_top
                continue
            take = pending[:room] if splittable else pending
            pending = pending[len(take) :]
            for size, offset, text in take:
                c.setFont(fx.FONT, size)
                c.drawString(x + offset, y, text)
                y -= size + 4
    c.showPage()
    page += 1
    furniture()
    c.setFont(fx.FONT, 14)
    c.drawString(margin, height - 84, plan["follow_up"]["heading"])
    left, right = plan["follow_up"]["paragraphs"]
    fx._draw_paragraphs(c, [left], margin, height - 112, column)
    fx._draw_paragraphs(c, [right], margin + column + gap, height - 112, column)
    c.showPage()
    c.save()
    return plan


def goal_grid_pdf(path: Path) -> dict:
    """A goal overview page: the strategy's 4 goals with their bullets in a 2 × 2 grid, no other text.

    The goals are set larger (13 pt), so some wrap over three lines ('I KRONOBERG SKA' / ... / ...).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas as rl_canvas

    fx.register_font()
    plan = strategy()
    width, height = A4
    column = (width - 112 - 28) / 2
    c = rl_canvas.Canvas(str(path), pagesize=A4)
    c.setFont(fx.FONT, 18)
    c.drawString(56, height - 70, plan["section"].upper())
    for k, item in enumerate(plan["goals"]):
        x, y = 56 + (k % 2) * (column + 28), height - 120 - (k // 2) * 220
        c.setFont(fx.FONT, 13)
        for line in fx._wrap(item["goal"], column, 13):
            c.drawString(x, y, line)
            y -= 17
        y -= 6
        c.setFont(fx.FONT, 10)
        for bullet in item["subgoals"]:
            for j, line in enumerate(fx._wrap(bullet, column - 12, 10)):
                if j == 0:
                    c.drawString(x, y, "•")  # the bullet a word of its own, as Word's PDF export sets it
                c.drawString(x + 12, y, line)
                y -= 13
    c.showPage()
    c.save()
    return plan
