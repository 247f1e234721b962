"""The engine: pure Python, no spreadsheet library — what a form means, checked and scored exactly.

May import only the standard library, :mod:`perfscore.errors`, :mod:`perfscore.version` and itself; never openpyxl, XlsxWriter,
xlwings, Jinja or click (the architecture test enforces it), so the CLI, the Excel bridge and the UDFs
all run the same code. In the order the data flows: ``framework`` (the indicator system, parsed once
per process; its dataclasses in ``framework_model``, reading and checking its file in ``framework_file``
with ``toml_lines`` to name the line of a problem), ``layout`` (where everything sits in a workbook), ``grid`` (a workbook as plain values),
``values``/``decimals``/``text`` (reading numbers, exact rounding, text width), ``form`` (parse),
``scoring`` (score and roll up), ``findings``/``checks`` (validate), ``pipeline`` (all of it: a
``Result``), ``plan`` (what to write back), ``submission`` (the JSON exchange form), ``cells`` and
``formulas`` (what a form workbook holds: labels, inputs, and its formulas in two dialects).
"""
