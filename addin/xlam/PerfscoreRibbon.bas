Attribute VB_Name = "PerfscoreRibbon"
' perfscore add-in (perfscore.xlam): the callbacks of the ribbon tab in customUI.xml.
' They act on the ACTIVE workbook when it is a perfscore form (it has the hidden sheet _perfscore);
' Python (perfscore.ribbon, then perfscore.bridge) reads it, runs the same pipeline as the CLI and shows every message.
' Keep this file ASCII: the VBA project stores module text in its own code page.
Option Explicit

Private Const RIBBON As String = "import perfscore.ribbon as r; r."
Private Const META_SHEET As String = "_perfscore"

Public Sub OnCalculate(control As IRibbonControl)
    RunOnForm "calculate()", True
End Sub

Public Sub OnCheck(control As IRibbonControl)
    RunOnForm "check()", False
End Sub

Public Sub OnReport(control As IRibbonControl)
    RunOnForm "generate_report()", True
End Sub

Public Sub OnNewForm(control As IRibbonControl)
    RunPython RIBBON & "new_form()"
End Sub

Public Sub OnDiagnose(control As IRibbonControl)
    RunPython RIBBON & "diagnose(""" & BUILT_XLWINGS & """, """ & BUILT_PERFSCORE & """)"
End Sub

' Whether a workbook is a perfscore form: it carries the hidden sheet perfscore writes into every form.
Private Function IsForm(ByVal wb As Object) As Boolean
    Dim ws As Object
    IsForm = False
    If wb Is Nothing Then Exit Function
    For Each ws In wb.Worksheets
        If ws.Name = META_SHEET Then
            IsForm = True
            Exit Function
        End If
    Next ws
End Function

' Run a bridge entry on the active form; a workbook that is not one gets Python's explanation.
' The form's sheets are protected (without a password) so that only the input cells can be typed
' in; perfscore writes its results into locked cells, so the protection is lifted while Python runs
' and put back, with the template's options, on the sheets that had it.
Private Sub RunOnForm(ByVal entry As String, ByVal writes As Boolean)
    Dim wb As Object
    Set wb = ActiveWorkbook
    If Not IsForm(wb) Then
        RunPython RIBBON & "not_a_form()"
        Exit Sub
    End If
    If Not writes Then
        RunPython RIBBON & entry
        Exit Sub
    End If
    Dim ws As Object
    Dim protectedSheets As New Collection
    For Each ws In wb.Worksheets
        If ws.ProtectContents Then
            protectedSheets.Add ws.Name
            ws.Unprotect
        End If
    Next ws
    RunPython RIBBON & entry
    Dim sheetName As Variant
    On Error Resume Next ' a sheet replaced while Python ran (e.g. the report) keeps its own state
    For Each sheetName In protectedSheets
        wb.Worksheets(sheetName).Protect DrawingObjects:=False, Contents:=True, _
            Scenarios:=True, AllowFormattingColumns:=True, AllowFormattingRows:=True
    Next sheetName
    On Error GoTo 0
End Sub
