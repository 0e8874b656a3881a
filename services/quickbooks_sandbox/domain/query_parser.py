"""Parser for the QBO query language subset:

SELECT * | *, Field[, ...] | COUNT(*) | Field[, Field] FROM Entity
[WHERE Field op value [AND ...]]  (op: = != < > <= >= LIKE IN)
[ORDERBY Field [ASC|DESC][, ...]] [STARTPOSITION n] [MAXRESULTS n]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import errors

Literal = str | int | float | bool

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^'\\]|\\.|'')*')
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|<>|=|<|>)
      | (?P<punct>[(),*])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.VERBOSE,
)
OPERATORS = {"=", "!=", "<>", "<", ">", "<=", ">=", "LIKE", "IN"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    values: tuple[Literal, ...]


@dataclass
class Query:
    entity: str
    count: bool = False
    fields: tuple[str, ...] = ()
    where: list[Condition] = field(default_factory=list)
    order_by: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    start_position: int = 1
    max_results: int | None = None


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise errors.query_parse_error(f'Encountered "{text[pos : pos + 20]}" at column {pos}')
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self, what: str) -> Token:
        token = self.peek()
        if token is None:
            raise errors.query_parse_error(f"Encountered end of query, expecting {what}")
        self.pos += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "word" and token.text.upper() == word:
            self.pos += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            found = self.peek()
            raise errors.query_parse_error(
                f'Encountered "{found.text if found else "<EOF>"}", expecting {word}'
            )

    def expect(self, text: str) -> None:
        token = self.next(text)
        if token.text != text:
            raise errors.query_parse_error(f'Encountered "{token.text}", expecting "{text}"')

    def identifier(self) -> str:
        token = self.next("a property name")
        if token.kind != "word":
            raise errors.query_parse_error(f'Encountered "{token.text}", expecting a name')
        return token.text

    def integer(self) -> int:
        token = self.next("a number")
        if token.kind != "number" or not token.text.isdigit():
            raise errors.query_parse_error(f'Encountered "{token.text}", expecting an integer')
        return int(token.text)

    def literal(self) -> Literal:
        token = self.next("a value")
        if token.kind == "string":
            body = token.text[1:-1]
            return re.sub(r"\\(.)", r"\1", body.replace("''", "'"))
        if token.kind == "number":
            return float(token.text) if "." in token.text else int(token.text)
        if token.kind == "word" and token.text.lower() in ("true", "false"):
            return token.text.lower() == "true"
        raise errors.query_parse_error(f'Encountered "{token.text}", expecting a value')


def _select_list(p: _Parser, query: Query) -> None:
    token = p.peek()
    if token is not None and token.text == "*":
        # `SELECT *, Sku FROM Item` (python-quickbooks' Item.all()) is accepted by QBO:
        # the star already returns every property, the extra columns add nothing.
        p.pos += 1
        while p.peek() == Token("punct", ","):
            p.pos += 1
            p.identifier()
        return
    if token is not None and token.kind == "word" and token.text.upper() == "COUNT":
        p.pos += 1
        p.expect("(")
        p.expect("*")
        p.expect(")")
        query.count = True
        return
    names = [p.identifier()]
    while p.peek() is not None and p.peek() == Token("punct", ","):
        p.pos += 1
        names.append(p.identifier())
    query.fields = tuple(names)


def _condition(p: _Parser) -> Condition:
    name = p.identifier()
    token = p.next("an operator")
    op = token.text.upper()
    if op not in OPERATORS:
        raise errors.query_parse_error(f'Encountered "{token.text}", expecting an operator')
    if op == "IN":
        p.expect("(")
        values = [p.literal()]
        while p.peek() == Token("punct", ","):
            p.pos += 1
            values.append(p.literal())
        p.expect(")")
        return Condition(name, op, tuple(values))
    return Condition(name, "!=" if op == "<>" else op, (p.literal(),))


def parse_query(text: str) -> Query:
    p = _Parser(tokenize(text))
    p.expect_keyword("SELECT")
    query = Query(entity="")
    _select_list(p, query)
    p.expect_keyword("FROM")
    query.entity = p.identifier()
    if p.keyword("WHERE"):
        query.where.append(_condition(p))
        while p.keyword("AND"):
            query.where.append(_condition(p))
    ordered = p.keyword("ORDERBY")
    if not ordered and p.keyword("ORDER"):
        p.expect_keyword("BY")
        ordered = True
    while ordered:
        name = p.identifier()
        descending = p.keyword("DESC")
        if not descending:
            p.keyword("ASC")
        query.order_by.append((name, descending))
        if p.peek() != Token("punct", ","):
            break
        p.pos += 1
    while True:
        if p.keyword("STARTPOSITION"):
            query.start_position = max(1, p.integer())
        elif p.keyword("MAXRESULTS"):
            query.max_results = p.integer()
        else:
            break
    leftover = p.peek()
    if leftover is not None:
        raise errors.query_parse_error(f'Encountered "{leftover.text}" after end of query')
    return query
