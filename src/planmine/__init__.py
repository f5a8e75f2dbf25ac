"""planmine: document mining for Swedish regional Nära vård plans.

The Python API (see `planmine.api`): `pm = planmine.open("outputs/planmine.db")`, then `pm.ingest(paths)`,
`pm.ask(question).to_frame()`, `pm.compare().to_excel(path)`, `pm.documents()`.
"""

from planmine.api import Answer, ComparisonTable, Planmine, open

__version__ = "0.1.0"

__all__ = ["Answer", "ComparisonTable", "Planmine", "__version__", "open"]
