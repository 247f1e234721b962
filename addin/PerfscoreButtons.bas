Attribute VB_Name = "PerfscoreButtons"
' perfscore: macros behind the form buttons (and the ribbon tab).
' Each one hands the workbook to Python through the xlwings add-in (RunPython);
' perfscore.bridge reads every sheet once, runs the same pipeline as the CLI,
' writes the results back in blocks and shows problems in a message box.
' Keep this file ASCII: the VBA project stores module text in its own code page.
Option Explicit

Public Sub Calculate()
    RunWithResultsWritable "import perfscore.bridge as b; b.calculate()"
End Sub

Public Sub GenerateReport()
    RunWithResultsWritable "import perfscore.bridge as b; b.generate_report()"
End Sub

Public Sub CheckOnly()
    RunPython "import perfscore.bridge as b; b.check()"
End Sub

' The form's sheets are protected (without a password) so that only the input cells can be
' typed in; perfscore writes its results into locked cells, so the protection is lifted while
' Python runs and put back, with the template's options, on the sheets that had it.
Private Sub RunWithResultsWritable(ByVal command As String)
    Dim ws As Worksheet
    Dim protectedSheets As New Collection
    For Each ws In ThisWorkbook.Worksheets
        If ws.ProtectContents Then
            protectedSheets.Add ws.Name
            ws.Unprotect
        End If
    Next ws
    RunPython command
    Dim sheetName As Variant
    On Error Resume Next ' a sheet replaced while Python ran (e.g. the report) keeps its own state
    For Each sheetName In protectedSheets
        ThisWorkbook.Worksheets(sheetName).Protect DrawingObjects:=False, Contents:=True, _
            Scenarios:=True, AllowFormattingColumns:=True, AllowFormattingRows:=True
    Next sheetName
    On Error GoTo 0
End Sub
