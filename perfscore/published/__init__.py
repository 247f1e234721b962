"""Reading a published 自评表 (the PDF a department publishes, or its extracted text) back into data.

May import the engine and pdfminer.six; nothing of openpyxl, XlsxWriter, xlwings, Jinja or click (the
architecture test enforces it). The front door is :func:`perfscore.published.digitise.digitise`.

- :mod:`~perfscore.published.pdf` — the only module that talks to pdfminer: each page as glyphs and
  ruling lines (:mod:`~perfscore.published.page`);
- :mod:`~perfscore.published.cells` — the table's cells rebuilt from the rules;
  :mod:`~perfscore.published.wrapping` — each cell's text as typed (LibreOffice's wraps joined, typed
  line breaks kept);
- :mod:`~perfscore.published.table`, :mod:`~perfscore.published.fields` — finding labels, columns,
  rows, the title, 总分 and the ticked grade among the cells;
- :mod:`~perfscore.published.department`, :mod:`~perfscore.published.project` — each form read from
  cells; :mod:`~perfscore.published.stream` — the department form read from plain text;
  :mod:`~perfscore.published.reading` — what was read, before it is a submission;
- :mod:`~perfscore.published.crosscheck` — the printed figures against each other and the framework.
"""
