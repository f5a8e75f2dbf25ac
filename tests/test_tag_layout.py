"""Two-column plan pages: read column by column, so the capitalised goals are not spliced across columns."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests import ingest_fixtures as fx
from tests.tag_fixtures import goal_grid_pdf, strategy_pdf

pytest.importorskip("reportlab")


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


@pytest.mark.parametrize("reader", ["rules and classifier", "rules only"])
def test_two_column_strategy_goals_come_out_whole(strategy_tags, reader: str) -> None:
    from planmine.tag.evaluate import goal_layout_scores

    plan, learned, rules = strategy_tags
    score = goal_layout_scores(plan["goals"], learned if reader == "rules and classifier" else rules)
    assert (score.goals_found, score.goals, score.spliced) == (16, 16, 0), score.problems


def test_two_column_strategy_activities_link_to_their_goal(strategy_tags) -> None:
    from planmine.tag.evaluate import goal_layout_scores

    plan, tags, _ = strategy_tags
    score = goal_layout_scores(plan["goals"], tags)
    assert score.activities == 9 and score.linked == score.activities, score.problems
    assert score.background_tagged == 0, score.problems
    activities = {_flat(t.text): t for t in tags if t.kind == "activity"}
    for text in plan["follow_up"]["paragraphs"]:  # after a new heading: no longer under the last goal
        tag = activities.get(_flat(text))
        assert tag is None or tag.goal is None, text


def test_goal_overview_grid_goals_come_out_whole(tmp_path: Path) -> None:
    from planmine.clean import clean_document
    from planmine.ingest import read_document
    from planmine.tag import analyse
    from planmine.tag.evaluate import goal_layout_scores

    path = tmp_path / "malbild.pdf"
    plan = goal_grid_pdf(path)
    _, tags = analyse(clean_document(read_document(path)), 1, genre="plan")
    blocks = [{**b, "activities": [], "background": []} for b in plan["goals"]]
    score = goal_layout_scores(blocks, tags)
    assert (score.goals_found, score.spliced) == (16, 0), score.problems


@pytest.mark.parametrize("mark", ["\uf0b7", "\uf0a7", "✓", "➢"])
def test_word_symbol_bullets_make_sub_goal_list_items(tmp_path: Path, mark: str) -> None:
    """Word's Symbol/Wingdings bullets, as PDF text extraction gives them, mark list items like '•'."""
    from planmine.clean import clean_document
    from planmine.ingest import read_document
    from planmine.tag import analyse

    path = tmp_path / "plan.txt"
    path.write_text(
        f"Strategi\n\n{LEFT_GOAL}\n\n{mark} {LEFT_BULLETS[0]}\n{mark} {LEFT_BULLETS[1]}\n", encoding="utf-8"
    )
    passages, tags = analyse(clean_document(read_document(path)), 1)
    items = [p.text for p in passages if p.kind == "list_item"]
    assert items == LEFT_BULLETS
    subgoals = [t.text for t in tags if t.kind == "goal" and t.label == "subgoal"]
    assert subgoals == LEFT_BULLETS
