"""parse(text) -> ReportDocument: read an inspection report's text, pure and validated.

The report's structure, in order, and the reader of each part (one module each):

- the preamble with the scope table, which names the framework (`preamble`);
- the overall summary: pillar and question grades with the year each was last
  inspected (`summary`, which also turns them into judgments);
- the HM Inspector's observations, signed (`observations`);
- one part per pillar: headline question, grade, summary (`pillars`), holding one
  section per question: grade, summary, boxes, detailed findings (`questions`, `boxes`);
- annexes, which are not read; footer links into the glossary are collected with the
  section each stands in (`glossary`).

`app.ingest.text` yields the blocks; every reader walks them with the one `Cursor` and
writes into the shared accumulators (`cursor`). Paragraphs cut by page breaks, footers or
boxes are rejoined by one rule (`paragraphs`). `force` finds the force the text names.

Everything specific to a force or a framework comes from the text or from the reference
catalogue; the words these modules know are the inspectorate's report format (box
titles, "Overall summary", "Last inspected"), the same in every report of the format.
"""

from app.ingest.parse.report import parse, parse_file

__all__ = ["parse", "parse_file"]
