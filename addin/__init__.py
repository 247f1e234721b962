"""VBA and xlwings settings of the perfscore add-in, kept as text."""
