"""Chat templates (Jinja) that reach Python internals: the llama-cpp-python template-injection class.

A GGUF's ``tokenizer.chat_template`` is rendered by the loader; rendered
outside a sandbox, ``{{ ().__class__.__base__.__subclasses__() }}`` reaches
``os.popen``. Real chat templates only loop over messages, compare strings
and call ``raise_exception``; they never touch attributes that start with an
underscore. The template is parsed (never rendered) with jinja2 and its AST is
searched for attribute and item access to underscore names, ``attr``-style
filters given such names or computed names, and template imports; a template
jinja2 cannot parse is searched textually for dunder names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DUNDER = re.compile(r"__[A-Za-z0-9_]+__")
_GENERATION_TAG = re.compile(r"\{%-?\s*(?:end)?generation\s*-?%\}")
_ATTRIBUTE_FILTERS = frozenset({"attr", "map", "selectattr", "rejectattr", "sort", "groupby", "sum",
                                "unique", "min", "max", "dictsort"})


@dataclass(frozen=True)
class TemplateConstruct:
    """A construct of a template that reaches past the data it is meant to format."""

    what: str
    severity: str  # "high" | "medium"


def dangerous_constructs(source: str) -> list[TemplateConstruct]:
    """Constructs of ``source`` that reach Python internals or other templates (empty for normal templates)."""
    import jinja2
    from jinja2 import nodes

    env = jinja2.Environment(extensions=["jinja2.ext.loopcontrols", "jinja2.ext.do"])
    try:
        tree = env.parse(_GENERATION_TAG.sub("", source))
    except (jinja2.TemplateSyntaxError, RecursionError) as exc:
        found = [TemplateConstruct(f"'{m}'", "high") for m in sorted(set(_DUNDER.findall(source)))]
        reason = getattr(exc, "message", None) or type(exc).__name__
        return [*found, TemplateConstruct(f"template jinja2 cannot parse ({reason})", "medium")]
    out: list[TemplateConstruct] = []
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Test, nodes.Import,
                               nodes.FromImport, nodes.Include, nodes.Extends)):
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            out.append(TemplateConstruct(f"attribute access '.{node.attr}'", "high"))
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) \
                and isinstance(node.arg.value, str) and node.arg.value.startswith("_"):
            out.append(TemplateConstruct(f"item access ['{node.arg.value}']", "high"))
        elif isinstance(node, (nodes.Filter, nodes.Test)) and node.name in _ATTRIBUTE_FILTERS:
            out.extend(_filter_constructs(node))
        elif isinstance(node, (nodes.Import, nodes.FromImport, nodes.Include, nodes.Extends)):
            out.append(TemplateConstruct(f"loads another template ({type(node).__name__.lower()})", "medium"))
    for const in tree.find_all(nodes.Const):
        if isinstance(const.value, str) and _DUNDER.search(const.value):
            out.append(TemplateConstruct(f"string '{const.value[:60]}' naming a Python internal", "high"))
    return _unique(out)


def _filter_constructs(node: object) -> list[TemplateConstruct]:
    from jinja2 import nodes

    assert isinstance(node, (nodes.Filter, nodes.Test))
    values = [*node.args, *(kw.value for kw in node.kwargs)]
    out = []
    for value in values:
        if isinstance(value, nodes.Const):
            if isinstance(value.value, str) and value.value.startswith("_"):
                out.append(TemplateConstruct(f"filter '{node.name}' on attribute '{value.value}'", "high"))
        elif node.name == "attr":
            out.append(TemplateConstruct("filter 'attr' with a computed attribute name", "high"))
    return out


def _unique(items: list[TemplateConstruct]) -> list[TemplateConstruct]:
    seen: set[TemplateConstruct] = set()
    return [i for i in items if not (i in seen or seen.add(i))]  # type: ignore[func-returns-value]
