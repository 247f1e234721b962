"""Counting COM operations: a fake Excel under xlwings' Windows code (fake.py) and forms to count on (forms.py)."""
