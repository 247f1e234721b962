"""perfscore — budget performance self-evaluation (绩效自评) forms: framework, engine, workbook."""

__version__ = "0.1.0"
