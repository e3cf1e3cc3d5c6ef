"""Code that continues a prompt plausibly in its language, for code completion routes.

Python: a prompt whose last line opens a block (`def f(n):`, `class A:`, `for ...:`) gets
an indented body (a known algorithm when the name says which, else a generic one), so
prompt + completion parses; other prompts get a new function after them. Brace languages
(JavaScript/TypeScript, Go, Java, C-family, Rust, ...): a body for an open `{` or a bare
signature, then exactly the closing braces the prompt left open. Anything else: a comment
and a simple body. Choices come from the request's generator, so answers are repeatable.
"""

from __future__ import annotations

import random
import re

LANGUAGE_ALIASES = {
    "py": "python", "python3": "python", "js": "javascript", "node": "javascript",
    "ts": "typescript", "golang": "go", "c++": "cpp", "cc": "cpp", "cs": "csharp",
    "c#": "csharp", "rs": "rust", "kt": "kotlin",
}
BRACE_LANGUAGES = frozenset({"javascript", "typescript", "go", "java", "c", "cpp", "csharp",
                             "rust", "kotlin", "swift", "php", "scala", "dart"})
HASH_COMMENT = frozenset({"ruby", "shell", "bash", "sh", "perl", "r", "yaml", "toml",
                          "powershell", "elixir", "julia"})
DASH_COMMENT = frozenset({"sql", "lua", "haskell", "ada"})
BLOCK_OPENER = re.compile(r"^\s*(async\s+def|def|class|if|elif|else|for|while|with|try|"
                          r"except|finally|match|case)\b.*:\s*(#.*)?$")
PY_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)\s*\((.*)\)")
SIGNATURE = re.compile(r"(\w+)\s*(?:<[^>]*>)?\s*\(([^()]*)\)\s*([^{;]*)$")
WORD = re.compile(r"[A-Za-z][a-z0-9]*|[0-9]+")
NAME_STOPWORDS = frozenset({"the", "and", "for", "from", "with", "that", "this", "into",
                            "def", "function", "func", "return", "select"})
NUMERIC_TYPE = re.compile(r"\b(int|long|short|number|usize|isize|[iu](8|16|32|64)|size_t)\b")

PYTHON_KNOWN = {
    "fib": ['"""Return the n-th Fibonacci number."""', "a, b = 0, 1",
            "for _ in range({p}):", "    a, b = b, a + b", "return a"],
    "factorial": ['"""Return {p}! computed iteratively."""', "result = 1",
                  "for k in range(2, {p} + 1):", "    result *= k", "return result"],
    "prime": ['"""Return True when {p} is a prime number."""', "if {p} < 2:",
              "    return False", "k = 2", "while k * k <= {p}:", "    if {p} % k == 0:",
              "        return False", "    k += 1", "return True"],
    "gcd": ['"""Greatest common divisor (Euclid)."""', "a, b = {p}, {q}", "while b:",
            "    a, b = b, a % b", "return abs(a)"],
    "reverse": ['"""Return {p} reversed."""', "return {p}[::-1]"],
    "sum": ['"""Return the sum of the items of {p}."""', "total = 0", "for item in {p}:",
            "    total += item", "return total"],
}
PYTHON_GENERIC = (
    ['"""{summary}."""', "if not {p}:", "    return {p}", "result = []",
     "for item in {p}:", "    result.append(item)", "return result"],
    ['"""{summary}."""', "result = {{}}", "for key, value in enumerate({p}):",
     "    result[key] = value", "return result"],
)


def normalise_language(language: str | None) -> str:
    name = (language or "python").strip().lower()
    return LANGUAGE_ALIASES.get(name, name)


def words_of(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text.replace("_", " "))]


def summary_of(name: str, params: list[str]) -> str:
    words = words_of(name) or ["process"]
    subject = f" for {', '.join(params)}" if params else ""
    return " ".join(words).capitalize() + subject


def last_line(prompt: str) -> str:
    lines = [line for line in prompt.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def identifier(prompt: str, style: str) -> str:
    """A function name from the prompt's words (its comments, usually)."""
    words = [w for w in words_of(last_line(prompt))
             if len(w) > 2 and w not in NAME_STOPWORDS][:3] or ["solve"]
    if style == "snake":
        return "_".join(words)
    return words[0] + "".join(w.capitalize() for w in words[1:])


def python_params(signature: str) -> list[str]:
    names = []
    for part in signature.split(","):
        name = part.split(":")[0].split("=")[0].strip().lstrip("*")
        if name and name not in ("self", "cls", "/") and name.isidentifier():
            names.append(name)
    return names


def python_body(rng: random.Random, name: str, params: list[str]) -> list[str]:
    p = params[0] if params else "data"
    q = params[1] if len(params) > 1 else "1"
    for key, lines in PYTHON_KNOWN.items():
        if key in name.lower() and (params or key != "gcd"):
            return [line.format(p=p, q=q) for line in lines]
    template = rng.choice(PYTHON_GENERIC)
    return [line.format(p=p, summary=summary_of(name, params)) for line in template]


def continue_python(prompt: str, rng: random.Random) -> str:
    line = last_line(prompt)
    unit = "\t" if "\t" in indent_of(line) else "    "
    lead = "" if prompt.endswith("\n") else "\n"
    if BLOCK_OPENER.match(line):
        inner = indent_of(line) + unit
        found = PY_DEF.match(line)
        if found:
            body = python_body(rng, found.group(1), python_params(found.group(2)))
        elif line.lstrip().startswith("class "):
            body = ["def __init__(self) -> None:", f"{unit}self.items = []"]
        else:
            body = ["result = None", "pass"]
        text = "".join(f"{inner}{row.replace('    ', unit)}\n" for row in body)
        if line.lstrip().startswith("try"):
            text += f"{indent_of(line)}except Exception:\n{inner}raise\n"
        return lead + text
    name = identifier(prompt, "snake")
    rows = python_body(rng, name, ["data"])
    return lead + f"\n\ndef {name}(data):\n" + "".join(f"    {row}\n" for row in rows)


def open_braces(prompt: str) -> int:
    # Braces inside strings are rare in a prompt; counting them all is good enough.
    return max(0, prompt.count("{") - prompt.count("}"))


def brace_param(language: str, params: str) -> str | None:
    """The first parameter's name when its type looks numeric (or is untyped)."""
    first = params.split(",")[0].strip()
    if not first:
        return None
    if language in ("javascript",):
        name = first.split("=")[0].strip()
        return name if name.isidentifier() else None
    if language in ("typescript", "kotlin", "swift", "rust", "scala", "dart", "php"):
        name, _, kind = first.partition(":")
        name = name.replace("mut ", "").strip().lstrip("$")
        return name if name.isidentifier() and (not kind or NUMERIC_TYPE.search(kind)) \
            else None
    tokens = first.split()
    if language == "go" and len(tokens) >= 2:
        return tokens[0] if NUMERIC_TYPE.search(tokens[1]) else None
    if len(tokens) >= 2 and NUMERIC_TYPE.search(" ".join(tokens[:-1])):
        return tokens[-1].strip("*&")
    return None


def brace_body(language: str, rng: random.Random, bound: str, returns: bool,
               summary: str) -> list[str]:
    step = rng.choice(["result += i", "result += i * i"])
    if language == "go":
        rows = ["result := 0", f"for i := 0; i < {bound}; i++ {{", f"\t{step}", "}"]
        return [f"// {summary}", *rows, "return result" if returns else "_ = result"]
    if language == "rust":
        rows = ["let mut result = 0;", f"for i in 0..{bound} {{", f"    {step};", "}"]
        return [f"// {summary}", *rows, *(["result"] if returns else [])]
    declare = {"javascript": "let", "typescript": "let", "kotlin": "var", "swift": "var",
               "scala": "var", "dart": "var", "php": "$result ="}.get(language, "int")
    loop_var = {"javascript": "let i = 0", "typescript": "let i = 0", "php": "$i = 0"}.get(
        language, "int i = 0")
    if language == "php":
        rows = ["$result = 0;", f"for ($i = 0; $i < {bound}; $i++) {{",
                "    $result += $i;", "}"]
        return [f"// {summary}", *rows, *(["return $result;"] if returns else [])]
    if language in ("kotlin", "swift", "scala"):
        loop = {"kotlin": f"for (i in 0 until {bound}) {{",
                "swift": f"for i in 0..<{bound} {{",
                "scala": f"for (i <- 0 until {bound}) {{"}[language]
        rows = [f"{declare} result = 0", loop, f"    {step}", "}"]
        return [f"// {summary}", *rows, *(["return result"] if returns else [])]
    rows = [f"{declare} result = 0;", f"for ({loop_var}; i < {bound}; i++) {{",
            f"    {step};", "}"]
    return [f"// {summary}", *rows, *(["return result;"] if returns else [])]


def continue_braces(prompt: str, language: str, rng: random.Random) -> str:
    line = last_line(prompt)
    unit = "\t" if language == "go" else "    "
    opened = open_braces(prompt)
    found = SIGNATURE.search(line.rstrip().rstrip("{").rstrip())
    lead = "" if prompt.endswith("\n") else "\n"
    prefix = ""
    if opened == 0:
        if found and not line.rstrip().endswith(";"):
            prefix = " {" if not prompt.endswith("\n") else "{"
            opened = 1
        else:
            name = identifier(prompt, "camel")
            head = {"go": f"func {name}(n int) int", "javascript": f"function {name}(n)",
                    "typescript": f"function {name}(n: number): number",
                    "rust": f"fn {name}(n: i64) -> i64", "kotlin": f"fun {name}(n: Int): Int",
                    "swift": f"func {name}(n: Int) -> Int", "php": f"function {name}($n)",
                    "scala": f"def {name}(n: Int): Int =", "dart": f"int {name}(int n)"}
            signature = head.get(language, f"static int {name}(int n)")
            prefix, opened = f"{lead}\n{signature} {{", 1
            found = SIGNATURE.search(signature)
    name, params, tail = found.groups() if found else ("compute", "", "")
    returns = "void" not in line and not (language == "go" and found and not tail.strip())
    bound = brace_param(language, params) or "10"
    if language == "php":
        bound = f"${bound.lstrip('$')}" if bound != "10" else bound
    inner = indent_of(line) + unit
    body = brace_body(language, rng, bound, returns, summary_of(name, []))
    text = prefix + ("\n" if prefix else lead)
    text += "".join(f"{inner}{row}\n" for row in body)
    depth = len(indent_of(line))
    for level in range(opened):
        close = indent_of(line) if level == 0 else " " * max(0, depth - 4 * level)
        text += f"{close}}}\n"
    return text


def continue_other(prompt: str, language: str, rng: random.Random) -> str:
    mark = "#" if language in HASH_COMMENT else "--" if language in DASH_COMMENT else "//"
    name = identifier(prompt, "snake")
    value = rng.randint(1, 9)
    lead = "" if prompt.endswith("\n") else "\n"
    return (f"{lead}{mark} {summary_of(name, [])} ({language})\n"
            f"{mark} a simple body: adjust to your needs\nresult = {value}\n")


def continue_code(prompt: str, language: str | None, rng: random.Random) -> str:
    name = normalise_language(language)
    if name == "python":
        return continue_python(prompt, rng)
    if name in BRACE_LANGUAGES:
        return continue_braces(prompt, name, rng)
    return continue_other(prompt, name, rng)
