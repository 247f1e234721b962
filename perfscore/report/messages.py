"""Chinese messages for what goes wrong in a report template cell, never Jinja's or Python's English.

:func:`describe` turns an exception raised while compiling or evaluating a cell into one line for the
IT staff who edit templates: a syntax error (``模板语法错误：第 1 行，缺少 “}}”…``), an unknown name
with the names that were available and the closest of them (``没有名称 “nme”；最接近的：name（可用：…）``),
a type error (``无法计算：文本与整数不能做 “+” 运算…``), a refusal of the sandbox. Jinja's common
messages are matched and said in Chinese; a rare one keeps its original words in brackets.
"""

from __future__ import annotations

import decimal
import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import TemplateNotFound, TemplateRuntimeError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError

from perfscore.engine.quoting import quote
from perfscore.report.expressions import ENV, NO_OWNER, OWN_FILTERS, TemplateValueError, UnknownName

_NO_INCLUDE = "报表模板不能引用其他模板（include、import、extends）；请把内容直接写在单元格中"
#: Characters of a name quoted in a message; a list of available names is never cut.
_NAME = 40


def describe(exc: BaseException, names: Iterable[str] = ()) -> str:
    """One Chinese line for ``exc``, raised by a cell; ``names``: the context's names at that point
    (what a top-level name could have been)."""
    if isinstance(exc, UnknownName):
        return unknown_name(exc, names)
    if isinstance(exc, TemplateSyntaxError):
        return syntax_message(exc)
    if isinstance(exc, SecurityError):
        return security_message(str(exc))
    if isinstance(exc, TemplateNotFound) or (isinstance(exc, TypeError) and "no loader" in str(exc)):
        return _NO_INCLUDE
    if isinstance(exc, TemplateValueError):
        return str(exc)
    if isinstance(exc, TemplateRuntimeError):
        own = _unknown_filter_or_test(exc.message or "")
        return own or f"无法计算（{quote(exc.message or '', 200)}）"
    if isinstance(exc, UndefinedError):  # pragma: no cover - every undefined here raises UnknownName
        return f"没有这个名称（{quote(exc.message or '', 200)}）"
    return "无法计算：" + _runtime_detail(exc)


def syntax_message(exc: TemplateSyntaxError, *, loop: bool = False) -> str:
    """``模板语法错误：第 N 行，…`` (``循环语法错误：…`` for a ``{% for %}`` marker cell); an unknown
    filter or test is said as such."""
    message = exc.message or ""
    own = _unknown_filter_or_test(message)
    if own:
        return own
    detail = _syntax_detail(message)
    if loop:
        return f"循环语法错误：{detail}"
    return f"模板语法错误：第 {exc.lineno} 行，{detail}"


# ------------------------------------------------------------------------------------ unknown names


def unknown_name(err: UnknownName, names: Iterable[str]) -> str:
    """``没有名称 “nme”；最接近的：name（可用：…）``, or what was there instead of a dict."""
    name = err.name
    shown = quote(str(name), _NAME)
    owner = err.owner
    if owner is not NO_OWNER:
        if isinstance(owner, (list, tuple)):
            if isinstance(name, int):
                return f"没有第 {name} 项（列表共 {len(owner)} 项，从 0 数起）"
            return f"没有名称 “{shown}”：它前面的值是列表，请用 {{% for %}} 逐项取用"
        return f"没有名称 “{shown}”：它前面的值是{kind_of(owner)}，其中没有名称"
    available = list(err.available if err.available is not None else names)
    listed = "、".join(quote(n, _NAME) for n in available) or "无"
    close = closest(str(name), available)
    if close:
        return f"没有名称 “{shown}”；最接近的：{'、'.join(quote(n, _NAME) for n in close)}（可用：{listed}）"
    return f"没有名称 “{shown}”（可用：{listed}）"


def closest(name: str, names: Iterable[str]) -> list[str]:
    """The names most like ``name`` (at most three, in their own order): those scoring (difflib's
    ratio) at least 0.5 and within 0.1 of the best, so ``nme`` suggests ``name`` and not ``l1_name``."""
    scored = [(difflib.SequenceMatcher(None, name, n).ratio(), n) for n in names]
    good = [(r, n) for r, n in scored if r >= 0.5]
    if not good:
        return []
    best = max(r for r, _ in good)
    return [n for r, n in good if r >= best - 0.1][:3]


def kind_of(value: Any) -> str:
    """What kind of value this is, in the words of the template guide."""
    if value is None:
        return "空值（未填写）"
    if isinstance(value, bool):
        return "是/否值"
    if isinstance(value, int):
        return "整数"
    if isinstance(value, (decimal.Decimal, float)):
        return "数字"
    if isinstance(value, str):
        return "文本"
    if isinstance(value, (list, tuple)):
        return "列表"
    if isinstance(value, dict):
        return "字典"
    return "值"


# ------------------------------------------------------------------------------------ syntax

_TOKENS = {
    "end of print statement": "“}}”",
    "end of statement block": "“%}”",
    "begin of print statement": "“{{”",
    "begin of statement block": "“{%”",
    "end of comment": "“#}”",
    "begin of comment": "“{#”",
    "end of template": "单元格结尾",
    "name": "名称",
    "integer": "数字",
    "float": "数字",
    "string": "带引号的文字",
}
_ENDS = ("end of print statement", "end of statement block")


def _token(desc: str) -> str:
    return _TOKENS.get(desc) or f"“{quote(desc, _NAME)}”"


def _tags(text: str) -> list[str]:
    return re.findall(r"'(\w+)'", text)


def _looking_for(rest: str) -> str | None:
    """The end tag Jinja was waiting for, from the tail of its message."""
    m = re.search(r"(?:looking for the following tags|currently looking for):? (.+?)\.", rest)
    if not m:
        return None
    tags = _tags(m.group(1))
    return next((t for t in tags if t.startswith("end")), tags[0] if tags else None)


def _unexpected(tok: str) -> str:
    if tok in _ENDS:
        return f"{_token(tok)} 之前的表达式不完整"
    if tok == "end of template":
        return "表达式没有写完（单元格在表达式中间结束）"
    return f"此处不能有 {_token(tok)}"


def _unclosed(m: re.Match[str]) -> str:
    block = m.group(2)
    end = _looking_for(m.group(0)) or (f"end{block}" if block else "end")
    if block:
        return f"“{{% {block} %}}” 没有结束：同一单元格中缺少 “{{% {end} %}}”"
    return f"缺少 “{{% {end} %}}”"


def _unknown_tag(m: re.Match[str]) -> str:
    tag, rest = m.group(1), m.group(2)
    wanted = _looking_for(rest)
    if tag.startswith("end") or tag in ("else", "elif"):
        if wanted:
            return f"此处应为 “{{% {wanted} %}}”，却是 “{{% {tag} %}}”"
        return (
            f"“{{% {tag} %}}” 前面没有对应的开头（行循环的 {{% for %}} 和 {{% endfor %}} 要各占一个单元格）"
        )
    return f"不认识的标签 “{{% {quote(tag, _NAME)} %}}”（常用的有 if、for、set）"


def _char(m: re.Match[str]) -> str:
    c = m.group(1)
    if c in ("'", '"'):
        return f"引号 {c} 没有配对"
    return f"不能使用字符 “{quote(c)}”"


_SYNTAX: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"^unexpected end of template, expected '(.+)'\.$"),
        lambda m: f"缺少 {_token(m.group(1))}（单元格在此之前就结束了）",
    ),
    (
        re.compile(r"^unexpected '(.+)', expected '(.+)'$"),
        lambda m: f"此处应为 {_token(m.group(2))}，却是 {_token(m.group(1))}",
    ),
    (re.compile(r"^unexpected '(.+)'$"), lambda m: _unexpected(m.group(1))),
    (
        re.compile(r"^expected token '(.+)', got '(.+)'$"),
        lambda m: f"此处应为 {_token(m.group(1))}，却是 {_token(m.group(2))}",
    ),
    (
        re.compile(r"^Expected an expression, got '(.+)'$"),
        lambda m: f"此处缺少表达式（却是 {_token(m.group(1))}）",
    ),
    (
        re.compile(
            r"^Unexpected end of template\.(.*?)(?:The innermost block that needs to be closed is '(\w+)'\.)?$"
        ),
        _unclosed,
    ),
    (re.compile(r"^Encountered unknown tag '(\w+)'\.(.*)$"), _unknown_tag),
    (re.compile(r"^unexpected char '(.+)' at \d+$"), _char),
    (re.compile(r"^chunk after expression$"), lambda m: "表达式后面多出了内容（两个值之间缺少运算符或 |？）"),
    (re.compile(r"^Missing end of comment tag$"), lambda m: "注释缺少结尾 “#}”"),
    (re.compile(r"^expected name or number$"), lambda m: "“.” 后面应为名称或数字"),
    (re.compile(r"^expected subscript expression$"), lambda m: "“[ ]” 中缺少内容"),
    (re.compile(r"^tag name expected$"), lambda m: "“{%” 后面缺少标签名"),
    (re.compile(r"^invalid syntax for function call expression$"), lambda m: "函数调用的写法有误"),
    (re.compile(r"^can't assign to '(\w+)'$"), lambda m: "这里不能赋值"),
)


def _syntax_detail(message: str) -> str:
    for pattern, say in _SYNTAX:
        m = pattern.match(message)
        if m:
            return say(m)
    return f"无法解析（{quote(message, 200)}）"


def _unknown_filter_or_test(message: str) -> str | None:
    m = re.match(r"^No (filter|test) named '(.+?)'(?: found)?\.$", message, re.I)
    if not m:
        return None
    what, name = m.group(1).lower(), m.group(2)
    shown = quote(name, _NAME)
    if what == "filter":
        close = closest(name, sorted(ENV.filters))
        hint = f"；最接近的：{'、'.join(close)}" if close else ""
        return f"没有过滤器 “{shown}”{hint}（perfscore 的过滤器：{'、'.join(OWN_FILTERS)}，以及 Jinja 自带的过滤器）"
    close = closest(name, sorted(ENV.tests))
    hint = f"；最接近的：{'、'.join(close)}" if close else ""
    return f"没有测试 “{shown}”{hint}（可用：{'、'.join(sorted(ENV.tests))}）"


# ------------------------------------------------------------------------------------ sandbox


def security_message(message: str) -> str:
    m = re.match(r"^access to attribute '(.+?)' of '.+?' object is unsafe\.$", message)
    if m:
        return (
            f"安全限制：不允许访问 “{quote(m.group(1), _NAME)}”（报表模板在沙箱中运行，"
            "不能使用以下划线开头的属性或程序内部的属性）"
        )
    if message.endswith("is not safely callable"):
        return "安全限制：不允许调用这个函数（报表模板在沙箱中运行）"
    return "安全限制：报表模板在沙箱中运行，不允许这样做"


# ------------------------------------------------------------------------------------ runtime

_TYPES = {
    "str": "文本",
    "Markup": "文本",
    "int": "整数",
    "float": "数字",
    "decimal.Decimal": "数字",
    "Decimal": "数字",
    "NoneType": "空值（未填写）",
    "bool": "是/否值",
    "list": "列表",
    "tuple": "列表",
    "generator": "列表",
    "range": "列表",
    "dict": "字典",
}


def _type(name: str) -> str:
    return _TYPES.get(name, "这种值")


def _binop(m: re.Match[str]) -> str:
    op = m.group(1).replace(" or pow()", "")
    return f"{_type(m.group(2))}与{_type(m.group(3))}不能做 “{op}” 运算" + _none_hint(m)


def _none_hint(m: re.Match[str]) -> str:
    if "NoneType" in m.groups():
        return "（空值是没有填写的数；可先用 {% if x is not none %} 判断）"
    if "str" in m.groups():
        return "（连接文本请用 ~）"
    return ""


_TYPE_ERRORS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r'^can only concatenate str \(not "([\w.]+)"\) to str$'),
        lambda m: f"文本与{_type(m.group(1))}不能做 “+” 运算（连接文本请用 ~）",
    ),
    (re.compile(r"^unsupported operand type\(s\) for (.+?): '([\w.]+)' and '([\w.]+)'$"), _binop),
    (
        re.compile(r"^'(.+?)' not supported between instances of '([\w.]+)' and '([\w.]+)'$"),
        lambda m: f"{_type(m.group(2))}与{_type(m.group(3))}不能用 “{m.group(1)}” 比较" + _none_hint(m),
    ),
    (
        re.compile(r"^bad operand type for unary (.+?): '([\w.]+)'$"),
        lambda m: f"{_type(m.group(2))}前面不能用 “{m.group(1)}”",
    ),
    (
        re.compile(r"^'([\w.]+)' object is not iterable$"),
        lambda m: f"{_type(m.group(1))}不能逐项取用（不是列表）",
    ),
    (
        re.compile(r"^'([\w.]+)' object is not callable$"),
        lambda m: f"{_type(m.group(1))}不能调用（后面不能加括号）",
    ),
    (re.compile(r"^object of type '([\w.]+)' has no len\(\)$"), lambda m: f"{_type(m.group(1))}没有长度"),
    (
        re.compile(r"^'([\w.]+)' object is not subscriptable$"),
        lambda m: f"{_type(m.group(1))}不能用 [ ] 取值",
    ),
    (
        re.compile(r"^can't multiply sequence by non-int of type '([\w.]+)'$"),
        lambda m: f"文本或列表只能乘以整数，不能乘以{_type(m.group(1))}",
    ),
)


def _runtime_detail(exc: BaseException) -> str:
    if isinstance(exc, (ZeroDivisionError, decimal.DivisionByZero)) or (
        isinstance(exc, decimal.InvalidOperation) and decimal.DivisionUndefined in _conditions(exc)
    ):
        return "除数为零"
    if isinstance(exc, decimal.DecimalException):
        return "无效的数值运算"
    if isinstance(exc, OverflowError):
        if "range" in str(exc).lower():
            return "range 的范围过大（最多 100000 项）"
        return "数值过大"
    if isinstance(exc, RecursionError):
        return "表达式嵌套过深"
    if isinstance(exc, TypeError):
        text = str(exc)
        for pattern, say in _TYPE_ERRORS:
            m = pattern.match(text)
            if m:
                return say(m)
        return f"值的类型不符（{quote(text, 200)}）"
    return f"表达式出错（{quote(str(exc), 200)}）"


def _conditions(exc: BaseException) -> list[Any]:
    """The signals of a decimal exception (``decimal`` raises them with their list as the argument)."""
    first = exc.args[0] if exc.args else None
    return first if isinstance(first, list) else []
