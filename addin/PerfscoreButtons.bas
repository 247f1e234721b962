Attribute VB_Name = "PerfscoreButtons"
' perfscore: macros behind the form buttons (and the ribbon tab).
' Each one hands the workbook to Python through the xlwings add-in (RunPython);
' perfscore.bridge reads every sheet once, runs the same pipeline as the CLI,
' writes the results back in blocks and shows problems in a message box.
' Keep this file ASCII: the VBA project stores module text in its own code page.
Option Explicit

Public Sub Calculate()
    RunPython "import perfscore.bridge as b; b.calculate()"
End Sub

Public Sub GenerateReport()
    RunPython "import perfscore.bridge as b; b.generate_report()"
End Sub

Public Sub CheckOnly()
    RunPython "import perfscore.bridge as b; b.check()"
End Sub
