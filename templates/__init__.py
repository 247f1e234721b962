"""Report templates shipped with perfscore (edit the .xlsx files here)."""
