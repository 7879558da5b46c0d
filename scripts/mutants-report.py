#!/usr/bin/env python3
"""Writes one package's gremlins results into docs/MUTANTS.md (called by scripts/mutate.sh).

usage: mutants-report.py MUTANTS.md PKGDIR RESULTS.json SECONDS [FLAGS]

The package's section (between <!-- mutate:begin PKGDIR ... --> and <!-- mutate:end PKGDIR -->)
is replaced, or added in the default order; the summary table is rebuilt from every section's
numbers; all other text is kept. A surviving mutant keeps the judgement written for it in the old
section when its file, mutation and marked code are the same (line numbers may have moved).
"""
import datetime
import json
import os
import re
import sys

ORDER = ["internal/jobs", "internal/sigv4", "internal/backend", "internal/httpapi",
         "internal/store/sqlite", "internal/store/postgres"]

# gremlins v0.6.0's internal/engine/mappings.go: mutation type -> original token -> replacement.
MUTATIONS = {
    "ARITHMETIC_BASE": {"+": "-", "*": "/", "/": "*", "%": "*", "-": "+"},
    "CONDITIONALS_BOUNDARY": {">=": ">", ">": ">=", "<=": "<", "<": "<="},
    "CONDITIONALS_NEGATION": {"==": "!=", ">=": "<", ">": "<=", "<=": ">", "<": ">=", "!=": "=="},
    "INCREMENT_DECREMENT": {"--": "++", "++": "--"},
    "INVERT_ASSIGNMENTS": {"+=": "-=", "*=": "/=", "/=": "*=", "%=": "%=", "-=": "+="},
    "INVERT_BITWISE": {"&": "|", "|": "&", "^": "&", "&^": "&", "<<": ">>", ">>": "<<"},
    "INVERT_BWASSIGN": {"&=": "|=", "|=": "&=", "^=": "&=", "&^=": "&=", "<<=": ">>=", ">>=": "<<="},
    "INVERT_LOGICAL": {"&&": "||", "||": "&&"},
    "INVERT_LOOPCTRL": {"break": "continue", "continue": "break"},
    "INVERT_NEGATIVES": {"-": "+"},
    "REMOVE_SELF_ASSIGNMENTS": {op + "=": "=" for op in ["+", "&", "&^", "*", "|", "/", "%", "<<", ">>", "-", "^"]},
}
TOKENS = sorted({t for m in MUTATIONS.values() for t in m}, key=len, reverse=True)
UNJUDGED = "**unjudged**"


def begin_re(pkg):
    return re.compile(r"<!-- mutate:begin " + re.escape(pkg) + r" (\{.*?\}) -->\n.*?<!-- mutate:end "
                      + re.escape(pkg) + r" -->\n", re.S)


ANY_BEGIN = re.compile(r"<!-- mutate:begin (\S+) (\{.*?\}) -->")
SUMMARY = re.compile(r"<!-- mutate:summary -->\n.*?<!-- mutate:summary-end -->\n", re.S)
SECTIONS_END = "<!-- mutate:sections-end -->\n"

SKELETON = """# Mutants

Written by `make mutate` (scripts/mutate.sh); judgements are edited by hand and kept by the next run.

<!-- mutate:summary -->
<!-- mutate:summary-end -->

""" + SECTIONS_END


def cells(row):
    return [c.strip() for c in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def esc(s):
    return s.replace("|", "\\|")


def code_span(s):
    tick = "``" if "`" in s else "`"
    pad = " " if "`" in s else ""
    return f"{tick}{pad}{esc(s)}{pad}{tick}"


def marked(path, line, col):
    """The source line, trimmed, with the mutated token in «», and the token."""
    with open(path, "rb") as f:
        raw = f.read().split(b"\n")[line - 1]
    i = col - 1
    tok = next((t for t in TOKENS if raw[i:i + len(t)] == t.encode()), "?")
    pre = raw[:i].decode(errors="replace").lstrip()
    post = raw[i + len(tok.encode()):].decode(errors="replace").rstrip()
    if len(pre) > 60:
        pre = "…" + pre[-59:]
    if len(post) > 40:
        post = post[:39] + "…"
    return f"{pre}«{tok}»{post}", tok


def old_judgements(section):
    judged = {}
    for row in section.splitlines():
        c = cells(row) if row.startswith("|") else []
        if len(c) == 4 and c[0].startswith("`") and c[0] != "`where`":
            file = c[0].strip("`").split(":")[0]
            judged[(file, c[1], c[2])] = c[3]
    return judged


def percent(n, d):
    return f"{100 * n / d:.1f} %" if d else "–"


def main():
    md, pkg, results, secs = sys.argv[1:5]
    flags = sys.argv[5] if len(sys.argv) > 5 else ""
    with open(results) as f:
        res = json.load(f)
    text = open(md).read() if os.path.exists(md) else SKELETON

    old = begin_re(pkg).search(text)
    judged = old_judgements(old.group(0)) if old else {}

    count = {"KILLED": 0, "LIVED": 0, "TIMED OUT": 0, "NOT COVERED": 0, "NOT VIABLE": 0}
    rows = []
    for f in res["files"]:
        for m in f["mutations"]:
            count[m["status"]] = count.get(m["status"], 0) + 1
            if m["status"] != "LIVED":
                continue
            code, tok = marked(os.path.join(pkg, f["file_name"]), m["line"], m["column"])
            mutation = f"{m['type']} {code_span(tok)} → {code_span(MUTATIONS.get(m['type'], {}).get(tok, '?'))}"
            key = (f["file_name"], mutation, code_span(code))
            rows.append((f["file_name"], m["line"], m["column"], mutation, code_span(code),
                         judged.get(key, UNJUDGED)))
    rows.sort()

    k, l, t, nc, nv = (count[s] for s in ["KILLED", "LIVED", "TIMED OUT", "NOT COVERED", "NOT VIABLE"])
    reached = k + l + t
    meta = {"killed": k, "lived": l, "timed_out": t, "not_covered": nc, "not_viable": nv,
            "seconds": int(secs), "date": datetime.date.today().isoformat(), "flags": flags}
    out = [f"<!-- mutate:begin {pkg} {json.dumps(meta, ensure_ascii=False)} -->",
           f"### {pkg}", "",
           f"Score **{percent(k, k + l)}** ({k} killed, {l} lived; {t} timed out, which the tests also "
           f"detect), mutant coverage {percent(reached, reached + nc)} ({reached} of {reached + nc} mutants "
           f"run by the package's tests; {nv} did not compile). Run on {meta['date']} in {secs} s"
           + (f" with `{flags}`" if flags else "") + ".", ""]
    if rows:
        out += ["| where | mutation | code | judgement |", "|---|---|---|---|"]
        out += [f"| `{fn}:{ln}:{col}` | {mu} | {code} | {j} |" for fn, ln, col, mu, code, j in rows]
    else:
        out.append("No survivors.")
    out += [f"<!-- mutate:end {pkg} -->", ""]
    section = "\n".join(out)

    if old:
        text = text[:old.start()] + section + text[old.end():]
    else:
        present = [p for p, _ in ANY_BEGIN.findall(text)]
        rank = ORDER.index(pkg) if pkg in ORDER else len(ORDER)
        after = [p for p in present if (ORDER.index(p) if p in ORDER else len(ORDER)) > rank]
        if after:
            pos = begin_re(after[0]).search(text).start()
        elif SECTIONS_END in text:
            pos = text.index(SECTIONS_END)
        else:
            text += "\n"
            pos = len(text)
        text = text[:pos] + section + "\n" + text[pos:]

    summary = ["<!-- mutate:summary -->",
               "| package | score | killed | lived | timed out | not covered | mutant coverage | time | run on |",
               "|---|---|---|---|---|---|---|---|---|"]
    for p, js in ANY_BEGIN.findall(text):
        m = json.loads(js)
        r = m["killed"] + m["lived"] + m["timed_out"]
        summary.append(f"| [{p}](#{p.replace('/', '')}) | {percent(m['killed'], m['killed'] + m['lived'])} "
                       f"| {m['killed']} | {m['lived']} | {m['timed_out']} | {m['not_covered']} "
                       f"| {percent(r, r + m['not_covered'])} | {m['seconds']} s | {m['date']} |")
    summary += ["<!-- mutate:summary-end -->", ""]
    if SUMMARY.search(text):
        text = SUMMARY.sub(lambda _: "\n".join(summary), text, count=1)
    with open(md, "w") as f:
        f.write(text)
    unjudged = sum(1 for r in rows if r[5] == UNJUDGED)
    print(f"{pkg}: score {percent(k, k + l)}, {l} lived ({unjudged} unjudged), {t} timed out, {nc} not covered")


if __name__ == "__main__":
    main()
