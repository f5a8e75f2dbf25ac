"""Two-column plan pages: read column by column, so the capitalised goals are not spliced across columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from tests import ingest_fixtures as fx

pytest.importorskip("reportlab")

DATA = Path(__file__).parent / "data" / "tag"
STRATEGY = DATA / "two_column" / "strategi.yaml"

LEFT_GOAL = "I KRONOBERG SKA VÅRDEN VARA NÄRA OCH SAMORDNAD"
LEFT_BULLETS = ["VI SKA ERBJUDA EN JÄMLIK VÅRD", "VI SKA SÄKERSTÄLLA KONTINUITET I VÅRDPROCESSER"]
RIGHT_GOAL = "I KRONOBERG SKA INVÅNARNA VARA DELAKTIGA"
RIGHT_BULLETS = [
    "VI SKA GÖRA INVÅNARNA TILL MEDSKAPARE I SIN VÅRD",
    "VI SKA TA TILLVARA CIVILSAMHÄLLETS KRAFT",
]


def two_column_plan_pdf(path: Path) -> tuple[str, str, str]:
    """A plan page: full-width title and intro, then two columns of capitalised goals, bullets and text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas as rl_canvas

    fx.register_font()
    width, height = A4
    intro = fx.corpus_paragraphs("skane")[0]
    left_text = fx.corpus_paragraphs("varmland")[2]
    right_text = fx.corpus_paragraphs("skane")[3]
    c = rl_canvas.Canvas(str(path), pagesize=A4)
    c.setFont(fx.FONT, 8)
    c.drawString(56, height - 40, "Strategi för nära vård")
    c.drawRightString(width - 56, height - 40, "Region Kronoberg")
    c.setFont(fx.FONT, 16)
    c.drawString(56, height - 80, "VÅRA STRATEGISKA MÅL")
    y = fx._draw_paragraphs(c, [intro], 56, height - 110, width - 112)
    column = (width - 112 - 28) / 2
    for x, goal, bullets, text in (
        (56, LEFT_GOAL, LEFT_BULLETS, left_text),
        (56 + column + 28, RIGHT_GOAL, RIGHT_BULLETS, right_text),
    ):
        top = y - 14
        c.setFont(fx.FONT, 11)
        for line in fx._wrap(goal, column, 11):
            c.drawString(x, top, line)
            top -= 15
        top -= 6
        c.setFont(fx.FONT, 10)
        for bullet in bullets:
            for k, line in enumerate(fx._wrap(bullet, column - 12, 10)):
                c.drawString(x, top, ("• " if k == 0 else "  ") + line)
                top -= 13
        top -= 8
        fx._draw_paragraphs(c, [text], x, top, column)
    c.drawCentredString(width / 2, 30, "4")
    c.showPage()
    c.save()
    return intro, left_text, right_text


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


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_two_column_plan_page_reads_column_by_column(tmp_path: Path) -> None:
    from planmine.ingest import read_document

    path = tmp_path / "strategi.pdf"
    intro, left_text, right_text = two_column_plan_pdf(path)
    text = _flat(read_document(path).pages[0].text)
    assert _flat(intro) in text, "the full-width intro reads as one paragraph"
    assert _flat(left_text) in text and _flat(right_text) in text, "each column's paragraph is unbroken"
    order = [
        text.index(s) for s in (_flat(intro), LEFT_GOAL, _flat(left_text), RIGHT_GOAL, _flat(right_text))
    ]
    assert order == sorted(order), "intro, then the left column, then the right column"
    for bullet in LEFT_BULLETS + RIGHT_BULLETS:
        assert bullet in text


def test_two_column_plan_page_goals_and_links(tmp_path: Path) -> None:
    from planmine.clean import clean_document
    from planmine.ingest import read_document
    from planmine.tag import analyse

    path = tmp_path / "strategi.pdf"
    two_column_plan_pdf(path)
    _, tags = analyse(clean_document(read_document(path)), 1)
    goals = [_flat(t.text) for t in tags if t.kind == "goal"]
    for goal in (LEFT_GOAL, RIGHT_GOAL, *LEFT_BULLETS, *RIGHT_BULLETS):
        assert goal in goals, (goal, goals)
    assert all(not (LEFT_GOAL in g and RIGHT_GOAL in g) for g in goals), "no goal spliced across columns"


@pytest.fixture(scope="module")
def strategy_tags(tmp_path_factory: pytest.TempPathFactory):
    from planmine.clean import clean_document
    from planmine.ingest import read_document
    from planmine.segment import segment
    from planmine.tag.pipeline import link, run

    path = tmp_path_factory.mktemp("strategy") / "strategi.pdf"
    plan = strategy_pdf(path)
    passages = segment(clean_document(read_document(path)), 1)
    learned = link(passages, run(passages, genre="plan"))
    rules = link(passages, run(passages, genre="plan", rules_only=True))
    return plan, learned, rules


def _goals(plan: dict) -> list[str]:
    return [g for item in plan["goals"] for g in (item["goal"], *item["subgoals"])]


@pytest.mark.parametrize("reader", ["rules and classifier", "rules only"])
def test_two_column_strategy_goals_come_out_whole(strategy_tags, reader: str) -> None:
    plan, learned, rules = strategy_tags
    tags = learned if reader == "rules and classifier" else rules
    goals = [_flat(t.text) for t in tags if t.kind == "goal"]
    wanted = _goals(plan)
    found = [g for g in wanted if g in goals]
    assert len(found) == len(wanted) == 16, sorted(set(wanted) - set(found))
    for goal in goals:  # none spliced across columns: a goal tag holds at most one goal statement
        assert sum(w in goal for w in wanted) <= 1, goal


def test_two_column_strategy_activities_link_to_their_goal(strategy_tags) -> None:
    plan, tags, _ = strategy_tags
    by_text = {_flat(t.text): t for t in tags if t.kind == "activity"}
    for item in plan["goals"]:
        own = {_flat(g) for g in (item["goal"], *item["subgoals"])}
        for text in item["activities"]:
            tag = by_text.get(_flat(text))
            assert tag is not None, f"not an activity: {text}"
            assert tag.goal is not None and _flat(tags[tag.goal].text) in own, (text, tag.goal)
        for text in item["background"]:
            assert _flat(text) not in by_text, f"background tagged as an activity: {text}"
    for text in plan["follow_up"]["paragraphs"]:  # after a new heading: no longer under the last goal
        tag = by_text.get(_flat(text))
        assert tag is None or tag.goal is None, text
