"""The end of `make demo`: ingest the corpus, then write the table, heatmap, graph and report into outputs/.

Run: python -m planmine.demo --corpus corpus --outputs outputs
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from planmine.types import QueryAnswer

EXAMPLE_QUESTION = "Vilka regioner arbetar med fallprevention?"


@dataclass
class DemoResult:
    """What the demo wrote and the answer to its example question."""

    files: dict[str, Path] = field(default_factory=dict)
    answer: QueryAnswer | None = None


def run_demo(
    corpus_dir: str | Path,
    outputs_dir: str | Path,
    *,
    question: str = EXAMPLE_QUESTION,
    store_file: str | Path | None = None,
    echo: bool = True,
    lang: str = "sv",
) -> DemoResult:
    """Ingest ``corpus_dir`` (unchanged files are skipped) and write every output into ``outputs_dir``.

    Writes comparison.{csv,json,md,xlsx}, heatmap.{png,svg}, region_map.png, graph.{graphml,png} and
    report.html (with the answer to ``question``) through the Python API, then prints where they are
    and the answer.
    """
    import planmine
    from planmine.graph import write_graph
    from planmine.report.build import ReportRequest, analyse, build_report, load_cached_embedder
    from planmine.report.plots import plot_heatmap
    from planmine.report.region_map import region_map_png

    outputs = Path(outputs_dir)
    outputs.mkdir(parents=True, exist_ok=True)
    result = DemoResult()
    with planmine.open(Path(store_file) if store_file else outputs / "planmine.db") as pm:
        failed = [r for r in pm.ingest([Path(corpus_dir)]) if r.failed]
        for r in failed:
            print(f"warning: not ingested: {r.path}: {r.reason}", file=sys.stderr)
        table = pm.compare()
        asked = pm.ask(question)
        result.answer = asked.answer
        for fmt in ("csv", "json", "md", "xlsx"):
            path = outputs / f"comparison.{fmt}"
            table.export(fmt, path, lang=lang)
            result.files[f"comparison ({fmt})"] = path
        for suffix in ("png", "svg"):
            result.files[f"heatmap ({suffix})"] = plot_heatmap(
                table.comparison, outputs / f"heatmap.{suffix}"
            )
        region_map = outputs / "region_map.png"
        region_map.write_bytes(region_map_png(table.comparison, lang=lang))
        result.files["region map"] = region_map
        embedder = load_cached_embedder(pm.store)
        analysis = analyse(pm.store, embedder, comparison=table.comparison)
        for suffix in ("graphml", "png"):
            result.files[f"graph ({suffix})"] = write_graph(
                analysis.graph.graph_, outputs / f"graph.{suffix}"
            )
        report = outputs / "report.html"
        html = build_report(
            pm.store, embedder, analysis=analysis, answers=[asked.answer], request=ReportRequest(lang=lang)
        )
        report.write_text(html, encoding="utf-8")
        result.files["report"] = report
    if echo:
        print(summary(result, analysis.graph))
    return result


def summary(result: DemoResult, graph: object | None = None) -> str:
    """The lines the demo prints: where each file is, the discovered themes, and the example answer."""
    lines = ["Outputs:"]
    lines += [f"  {name:<20} {path}" for name, path in result.files.items()]
    lines.append(
        "  (Python: pm = planmine.open(STORE); pm.ask(QUESTION).to_frame(); pm.compare().to_excel(PATH))"
    )
    themes = getattr(graph, "themes_", [])
    if themes:
        candidates = [t for t in themes if t.candidate]
        lines.append(f"Discovered {len(themes)} cross-region themes, {len(candidates)} not in the taxonomy:")
        lines += [
            f"  {t.id}: {t.label} ({len(t.regions)} regions, {t.size} passages)" for t in candidates[:5]
        ]
    if result.answer is not None:
        lines.append(f"\n{result.answer.query}")
        for region in result.answer.regions:
            best = region.evidence[0] if region.evidence else None
            quote = f' "{_clip(best.text)}" ({best.document}, p. {best.page})' if best else ""
            lines.append(f"  {region.region:<24} {region.level:<13}{quote}")
    return "\n".join(lines)


def _clip(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m planmine.demo", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path("corpus"), help="folder of plans (default: corpus)"
    )
    parser.add_argument(
        "--outputs", type=Path, default=Path("outputs"), help="output folder (default: outputs)"
    )
    parser.add_argument("--store", type=Path, default=None, help="store file (default: OUTPUTS/planmine.db)")
    parser.add_argument("--question", default=EXAMPLE_QUESTION, help="the example question to answer")
    args = parser.parse_args(argv)
    from planmine.errors import PlanmineError

    try:
        run_demo(args.corpus, args.outputs, question=args.question, store_file=args.store)
    except PlanmineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
