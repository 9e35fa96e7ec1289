#!/usr/bin/env python3
"""Self-check for kasio's message schemas (grammar: README.md in this directory).

Usage: check_schema.py [DIR]   (DIR defaults to the directory holding this script)

Parses every NN_name.ks file, every data schema name.ks (header `data ...`) and errors.ks and
reports, one line per problem:
  - a malformed header line, section layout, field line or indentation;
  - field, nullable and tagged versions outside the message's range, or outside the parent's
    versions for nested fields (an omitted version means every version of the message);
  - nullable or tagged versions outside the field's own versions;
  - tagged fields outside the flexible versions, duplicate tags or field names in one struct;
  - struct names reused within one message (request and response are separate messages);
  - defaults that do not fit the field's type;
  - duplicate or missing error codes in errors.ks.
Exit status: 0 when clean, 1 otherwise. Standard library only.
"""

import re
import sys
from pathlib import Path

PRIMITIVES = {
    "bool": None,
    "int8": (-(1 << 7), (1 << 7) - 1),
    "int16": (-(1 << 15), (1 << 15) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
    "uint16": (0, (1 << 16) - 1),
    "uint32": (0, (1 << 32) - 1),
    "float64": None,
    "string": None,
    "bytes": None,
    "records": None,
    "uuid": None,
}
# Types whose value can be null on the wire; arrays and structs are handled separately.
NULLABLE_PRIMITIVES = {"string", "bytes", "records"}
ROUTES = {"any", "coordinator", "controller", "leader"}

IDENT = r"[a-z][a-z0-9_]*"
IDENT_RE = re.compile(rf"^{IDENT}$")
VERSIONS_RE = re.compile(r"^(\d+)(\+|-(\d+))?$")
HEADER_RE = re.compile(
    rf"^api\s+(\d+)\s+({IDENT})\s+versions\s+(\d+)-(\d+)\s+flexible\s+(\d+\+|none)"
    rf"(?:\s+route\s+(\S+))?$"
)
FILE_RE = re.compile(rf"^(\d\d)_({IDENT})\.ks$")
# Data schemas (Kafka's "type": "data"): `data <name> ...`, fields from column 1, file <name>.ks.
DATA_HEADER_RE = re.compile(rf"^data\s+({IDENT})\s+versions\s+(\d+)-(\d+)\s+flexible\s+(\d+\+|none)$")
DATA_FILE_RE = re.compile(rf"^({IDENT})\.ks$")
ERROR_RE = re.compile(rf'^error\s+(-?\d+)\s+({IDENT})(\s+retriable)?(\s+metadata)?\s+"([^"]+)"$')


class Field:
    def __init__(self, lineno, depth, name, type_, versions, nullable, tag, tagged, default):
        self.lineno = lineno
        self.depth = depth
        self.name = name
        self.type = type_
        self.versions = versions  # (lo, hi), inclusive
        self.nullable = nullable  # (lo, hi) or None
        self.tag = tag  # int or None
        self.tagged = tagged  # (lo, hi) or None
        self.default = default  # raw token or None
        self.children = []

    @property
    def is_array(self):
        return self.type.startswith("[]")

    @property
    def element(self):
        return self.type[2:] if self.is_array else self.type

    @property
    def struct_name(self):
        """The struct this field owns, or None for primitives and primitive arrays."""
        return None if self.element in PRIMITIVES else self.element


def strip_comment(line):
    """Drop a `#` comment, ignoring `#` inside double-quoted strings."""
    in_string = False
    for i, ch in enumerate(line):
        if ch == '"':
            in_string = not in_string
        elif ch == "#" and not in_string:
            return line[:i]
    return line


def tokenize(text):
    """Split on whitespace, keeping a double-quoted string (which may hold spaces) as one token."""
    return re.findall(r'"[^"]*"|\S+', text)


def parse_versions(token, lo_limit, hi_limit):
    """Turn `N+`, `N-M` or `N` into an inclusive range; None when the token is not versions."""
    m = VERSIONS_RE.match(token)
    if not m:
        return None
    lo = int(m.group(1))
    if m.group(2) == "+":
        hi = hi_limit
    elif m.group(3) is not None:
        hi = int(m.group(3))
    else:
        hi = lo
    return (lo, hi)


def fmt(r):
    return f"{r[0]}-{r[1]}"


def within(inner, outer):
    return outer[0] <= inner[0] and inner[1] <= outer[1]


class Checker:
    def __init__(self):
        self.problems = []

    def report(self, path, lineno, message):
        where = f"{path.name}:{lineno}" if lineno else path.name
        self.problems.append(f"{where}: {message}")

    # ---- message files -------------------------------------------------------------------

    def check_data_file(self, path, lines):
        """A data schema: the header, then one struct whose top-level fields start at column 1."""
        header = None
        entries = []
        for lineno, raw in enumerate(lines, 1):
            if "\t" in raw:
                self.report(path, lineno, "tab character; indent with spaces")
            line = strip_comment(raw).rstrip()
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip(" "))
            text = line.strip()
            if header is None:
                m = DATA_HEADER_RE.match(text)
                if indent != 0 or not m:
                    self.report(path, lineno, "malformed header; expected "
                                "`data <name> versions <min>-<max> flexible <N>+|none`")
                    return
                name, vmin, vmax, flexible = m.groups()
                vmin, vmax = int(vmin), int(vmax)
                if vmin > vmax:
                    self.report(path, lineno, f"version range {vmin}-{vmax} is empty")
                flex = None if flexible == "none" else (int(flexible[:-1]), vmax)
                if flex and flex[0] > vmax:
                    self.report(path, lineno, f"flexible {flexible} starts after the last version {vmax}")
                if path.name != f"{name}.ks":
                    self.report(path, lineno, f"data name {name} does not match file name")
                header = {"key": -1, "name": name, "range": (vmin, vmax), "flexible": flex}
                continue
            entries.append((lineno, indent + 2, text))  # as if under a section, for build_tree
        if header is None:
            self.report(path, 0, "no `data` header line")
            return
        self.check_message(path, header, "data", self.build_tree(path, header, entries))

    def check_message_file(self, path):
        m = FILE_RE.match(path.name)
        if not m and DATA_FILE_RE.match(path.name):
            lines = path.read_text(encoding="utf-8").splitlines()
            first = next((strip_comment(l).strip() for l in lines if strip_comment(l).strip()), "")
            if first.startswith("data "):
                self.check_data_file(path, lines)
                return
        if not m:
            self.report(path, 0, "file name is not NN_name.ks")
        lines = path.read_text(encoding="utf-8").splitlines()
        header = None
        section = None
        sections = {}
        for lineno, raw in enumerate(lines, 1):
            if "\t" in raw:
                self.report(path, lineno, "tab character; indent with spaces")
            line = strip_comment(raw).rstrip()
            if not line.strip():
                continue
            indent = len(line) - len(line.lstrip(" "))
            text = line.strip()
            if header is None:
                header = self.parse_header(path, lineno, text, indent, m)
                if header is None:
                    return
                continue
            if indent == 0:
                if text in ("request", "response"):
                    if text in sections:
                        self.report(path, lineno, f"second `{text}` section")
                    expected = "request" if not sections else "response"
                    if text != expected:
                        self.report(path, lineno, f"expected `{expected}` section, got `{text}`")
                    section = text
                    sections[text] = []
                else:
                    self.report(path, lineno, f"unexpected top-level line: {text!r}")
                continue
            if section is None:
                self.report(path, lineno, "field line before any `request`/`response` section")
                continue
            sections[section].append((lineno, indent, text))
        if header is None:
            self.report(path, 0, "no `api` header line")
            return
        for name in ("request", "response"):
            if name not in sections:
                self.report(path, 0, f"missing `{name}` section")
                continue
            roots = self.build_tree(path, header, sections[name])
            self.check_message(path, header, name, roots)

    def parse_header(self, path, lineno, text, indent, file_match):
        m = HEADER_RE.match(text)
        if indent != 0 or not m:
            self.report(path, lineno, "malformed header; expected "
                        "`api <key> <name> versions <min>-<max> flexible <N>+|none [route ...]`")
            return None
        key, name, vmin, vmax, flexible, route = m.groups()
        key, vmin, vmax = int(key), int(vmin), int(vmax)
        if vmin > vmax:
            self.report(path, lineno, f"version range {vmin}-{vmax} is empty")
        if route is not None and route not in ROUTES:
            self.report(path, lineno, f"unknown route {route!r}; one of {sorted(ROUTES)}")
        if flexible == "none":
            flex = None
        else:
            flex = (int(flexible[:-1]), vmax)
            if flex[0] > vmax:
                self.report(path, lineno, f"flexible {flexible} starts after the last version {vmax}")
        if file_match:
            if int(file_match.group(1)) != key:
                self.report(path, lineno, f"api key {key} does not match file name")
            if file_match.group(2) != name:
                self.report(path, lineno, f"api name {name} does not match file name")
        return {"key": key, "name": name, "range": (vmin, vmax), "flexible": flex}

    def parse_field(self, path, lineno, depth, text, header):
        """Parse `<name> <type> [<versions>] [nullable V] [tag N] [tagged V] [default X]`."""
        vmin, vmax = header["range"]
        tokens = tokenize(text)
        if len(tokens) < 2:
            self.report(path, lineno, f"field needs a name and a type: {text!r}")
            return None
        name, type_ = tokens[0], tokens[1]
        if not IDENT_RE.match(name):
            self.report(path, lineno, f"field name {name!r} is not snake_case")
        element = type_[2:] if type_.startswith("[]") else type_
        if not IDENT_RE.match(element) and element not in PRIMITIVES:
            self.report(path, lineno, f"bad type {type_!r}")
        rest = tokens[2:]
        versions = (vmin, vmax)
        if rest and VERSIONS_RE.match(rest[0]):
            versions = parse_versions(rest.pop(0), vmin, vmax)
        options = {}
        order = ["nullable", "tag", "tagged", "default"]
        last = -1
        while rest:
            key = rest.pop(0)
            if key not in order:
                self.report(path, lineno, f"unexpected token {key!r}")
                return None
            if order.index(key) <= last:
                self.report(path, lineno, f"`{key}` out of order or repeated; order is {' '.join(order)}")
            last = order.index(key)
            if not rest:
                self.report(path, lineno, f"`{key}` needs a value")
                return None
            value = rest.pop(0)
            if key in ("nullable", "tagged"):
                parsed = parse_versions(value, vmin, vmax)
                if parsed is None:
                    self.report(path, lineno, f"`{key}` value {value!r} is not a version range")
                    return None
                options[key] = parsed
            elif key == "tag":
                if not re.match(r"^\d+$", value):
                    self.report(path, lineno, f"tag {value!r} is not a non-negative integer")
                    return None
                options[key] = int(value)
            else:
                options[key] = value
        if "tagged" in options and "tag" not in options:
            self.report(path, lineno, "`tagged` without `tag`")
        tagged = options.get("tagged")
        if "tag" in options and tagged is None:
            tagged = versions
        return Field(lineno, depth, name, type_, versions, options.get("nullable"),
                     options.get("tag"), tagged, options.get("default"))

    def build_tree(self, path, header, entries):
        roots = []
        stack = []  # open ancestors, by depth
        for lineno, indent, text in entries:
            if indent % 2:
                self.report(path, lineno, f"indentation of {indent} spaces is not a multiple of 2")
                continue
            depth = indent // 2
            field = self.parse_field(path, lineno, depth, text, header)
            if field is None:
                continue
            if depth < 1:
                self.report(path, lineno, "fields must be indented under their section")
                continue
            if depth > len(stack) + 1:
                self.report(path, lineno, "indented more than one level below the previous field")
                continue
            del stack[depth - 1:]
            if depth == 1:
                roots.append(field)
            else:
                parent = stack[-1]
                if parent.struct_name is None:
                    self.report(path, lineno, f"nested under `{parent.name}`, whose type "
                                f"{parent.type} is not a struct")
                parent.children.append(field)
            stack.append(field)
        return roots

    def check_message(self, path, header, section, roots):
        structs = {}
        self.check_struct(path, header, section, roots, header["range"], structs, "top level")

    def check_struct(self, path, header, section, fields, parent_versions, structs, where):
        names = {}
        tags = {}
        flex = header["flexible"]
        for f in fields:
            if f.name in names:
                self.report(path, f.lineno, f"{section}: duplicate field `{f.name}` in {where} "
                            f"(first on line {names[f.name]})")
            names.setdefault(f.name, f.lineno)
            lo, hi = f.versions
            if lo > hi:
                self.report(path, f.lineno, f"`{f.name}`: empty version range {fmt(f.versions)}")
            if not within(f.versions, header["range"]):
                self.report(path, f.lineno, f"`{f.name}`: versions {fmt(f.versions)} outside the "
                            f"message's {fmt(header['range'])}")
            elif not within(f.versions, parent_versions):
                self.report(path, f.lineno, f"`{f.name}`: versions {fmt(f.versions)} outside its "
                            f"parent's {fmt(parent_versions)}")
            if f.nullable is not None:
                if not within(f.nullable, f.versions):
                    self.report(path, f.lineno, f"`{f.name}`: nullable {fmt(f.nullable)} outside "
                                f"the field's versions {fmt(f.versions)}")
                if not f.is_array and f.struct_name is None and f.type not in NULLABLE_PRIMITIVES:
                    self.report(path, f.lineno, f"`{f.name}`: type {f.type} cannot be nullable")
            if f.tag is not None:
                if not within(f.tagged, f.versions):
                    self.report(path, f.lineno, f"`{f.name}`: tagged {fmt(f.tagged)} outside the "
                                f"field's versions {fmt(f.versions)}")
                if flex is None or not within(f.tagged, flex):
                    flex_text = "none" if flex is None else fmt(flex)
                    self.report(path, f.lineno, f"`{f.name}`: tagged in {fmt(f.tagged)} but the "
                                f"flexible versions are {flex_text}")
                if f.tag in tags:
                    self.report(path, f.lineno, f"`{f.name}`: tag {f.tag} already used by "
                                f"`{tags[f.tag]}` in {where}")
                tags.setdefault(f.tag, f.name)
            self.check_default(path, f)
            struct = f.struct_name
            if struct is not None:
                if struct in structs:
                    self.report(path, f.lineno, f"{section}: struct name `{struct}` already used "
                                f"on line {structs[struct]}")
                else:
                    structs[struct] = f.lineno
                if not f.children:
                    self.report(path, f.lineno, f"`{f.name}`: struct `{struct}` has no fields")
                self.check_struct(path, header, section, f.children, f.versions, structs,
                                  f"struct `{struct}`")

    def check_default(self, path, f):
        d = f.default
        if d is None:
            return
        if d == "null":
            if f.nullable is None:
                self.report(path, f.lineno, f"`{f.name}`: default null but the field is never nullable")
            return
        if f.is_array or f.struct_name is not None:
            self.report(path, f.lineno, f"`{f.name}`: only `null` is allowed as an array or struct default")
            return
        t = f.type
        if t == "bool":
            if d not in ("true", "false"):
                self.report(path, f.lineno, f"`{f.name}`: bool default must be true or false")
        elif t == "string":
            if not (len(d) >= 2 and d.startswith('"') and d.endswith('"')):
                self.report(path, f.lineno, f"`{f.name}`: string default must be double-quoted")
        elif PRIMITIVES.get(t):
            lo, hi = PRIMITIVES[t]
            if not re.match(r"^-?\d+$", d):
                self.report(path, f.lineno, f"`{f.name}`: {t} default {d!r} is not an integer")
            elif not lo <= int(d) <= hi:
                self.report(path, f.lineno, f"`{f.name}`: default {d} does not fit {t}")
        elif t == "float64":
            try:
                float(d)
            except ValueError:
                self.report(path, f.lineno, f"`{f.name}`: float64 default {d!r} is not a number")
        else:
            self.report(path, f.lineno, f"`{f.name}`: type {t} takes no default")

    # ---- errors.ks -----------------------------------------------------------------------

    def check_errors_file(self, path):
        codes = {}
        names = {}
        for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = strip_comment(raw).strip()
            if not line:
                continue
            m = ERROR_RE.match(line)
            if not m:
                self.report(path, lineno, f"malformed error line: {line!r}")
                continue
            code, name = int(m.group(1)), m.group(2)
            if m.group(4) and not m.group(3):
                self.report(path, lineno, f"{name}: `metadata` codes are retried after the refresh: mark it `retriable`")
            if code in codes:
                self.report(path, lineno, f"code {code} already defined on line {codes[code]}")
            if name in names:
                self.report(path, lineno, f"name {name} already defined on line {names[name]}")
            codes.setdefault(code, lineno)
            names.setdefault(name, lineno)
        if not codes:
            self.report(path, 0, "no error lines")
            return
        for required, name in ((-1, "unknown_server_error"), (0, "none")):
            if names.get(name) is None or codes.get(required) != names.get(name):
                self.report(path, 0, f"code {required} must be `{name}`")
        missing = [c for c in range(-1, max(codes) + 1) if c not in codes]
        if missing:
            self.report(path, 0, f"missing codes: {missing}")


def main(argv):
    directory = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent
    checker = Checker()
    files = sorted(p for p in directory.glob("*.ks") if p.name != "errors.ks")
    if not files:
        checker.problems.append(f"{directory}: no message files")
    for path in files:
        checker.check_message_file(path)
    errors = directory / "errors.ks"
    if errors.exists():
        checker.check_errors_file(errors)
    else:
        checker.problems.append(f"{directory}: errors.ks is missing")
    for problem in checker.problems:
        print(problem)
    print(f"checked {len(files)} message and data files{' and errors.ks' if errors.exists() else ''}: "
          f"{len(checker.problems)} problem(s)", file=sys.stderr)
    return 1 if checker.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
