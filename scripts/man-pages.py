#!/usr/bin/env python3
"""Builds the man pages from the docs, as podman builds its own: go-md2man over markdown.

  scripts/man-pages.py DOCS_DIR OUT_DIR [--md2man PATH]

writes OUT_DIR/man1/ctrctl.1 (docs/ctrctl.md without its command sections),
OUT_DIR/man1/ctrctl-VERB.1 (one per "### verb" section of docs/ctrctl.md "## Commands";
"### pause, unpause" gives ctrctl-pause.1 and a ctrctl-unpause.1 that points to it,
"### healthcheck run" gives ctrctl-healthcheck-run.1; a capitalised "### Detach keys"
belongs to the verb before it), OUT_DIR/man8/ctrd.8 (docs/ctrd.md) and
OUT_DIR/man5/ctrd-service.5 (docs/service-files.md). Exits non-zero on any failure.
"""
import os
import re
import subprocess
import sys


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def demote_title(text):
    """Drops the document's own '# Title' line (the man header replaces it)."""
    lines = text.split("\n")
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines)


def promote(text):
    """'## X' -> '# X' and '### X' -> '## X' etc. outside code blocks (a verb's subsections)."""
    out, fence = [], False
    for line in text.split("\n"):
        if line.startswith("```"):
            fence = not fence
        if not fence and re.match(r"^#{2,} ", line):
            line = line[1:]
        out.append(line)
    return "\n".join(out)


def sections(text, level):
    """Splits text at headings of exactly `level` '#'s outside code blocks: [(title, body)],
    the part before the first heading has title None."""
    out, title, buf, fence = [], None, [], False
    mark = "#" * level + " "
    for line in text.split("\n"):
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith(mark):
            out.append((title, "\n".join(buf)))
            title, buf = line[len(mark):].strip(), []
        else:
            buf.append(line)
    out.append((title, "\n".join(buf)))
    return out


def verb_names(title):
    """'pause, unpause' -> ['pause', 'unpause']; 'rm (remove)' -> ['rm']; 'healthcheck run'
    -> ['healthcheck run']; a capitalised title (a subsection) -> []."""
    if not title or not title[0].islower():
        return []
    title = re.sub(r"\s*\(.*\)", "", title)
    return [t.strip() for t in title.split(",") if t.strip()]


def first_sentence(body):
    text = ""
    for para in body.strip().split("\n\n"):
        if para.startswith("```") or para.startswith("|"):
            continue
        text = " ".join(para.split())
        break
    m = re.match(r"(.+?\.)(\s|$)", text)
    text = m.group(1) if m else text
    return text.replace("`", "")


class Writer:
    def __init__(self, out, md2man):
        self.out, self.md2man, self.count = out, md2man, 0

    def page(self, name, section, summary, body):
        src = "%% %s %s\n\n# NAME\n%s - %s\n\n%s\n" % (name, section, name, summary, body)
        self.raw(name, section, src)

    def raw(self, name, section, markdown):
        d = os.path.join(self.out, "man" + section)
        os.makedirs(d, exist_ok=True)
        md = os.path.join(d, name + "." + section + ".md")
        with open(md, "w", encoding="utf-8") as f:
            f.write(markdown)
        subprocess.run([self.md2man, "-in", md, "-out", md[:-3]], check=True)
        os.unlink(md)
        self.count += 1

    def link(self, name, section, target):
        d = os.path.join(self.out, "man" + section)
        with open(os.path.join(d, name + "." + section), "w", encoding="utf-8") as f:
            f.write(".so man%s/%s.%s\n" % (section, target, section))
        self.count += 1


def ctrctl_pages(w, docs):
    text = demote_title(read(os.path.join(docs, "ctrctl.md")))
    top = sections(text, 2)
    verbs = []  # (names, body)
    main = []
    for title, body in top:
        if title != "Commands":
            main.append((title, body))
            continue
        intro, *subs = sections(body, 3)
        for t, b in subs:
            names = verb_names(t)
            if names:
                verbs.append((names, b))
            elif verbs:  # a subsection of the verb before it
                verbs[-1] = (verbs[-1][0], verbs[-1][1] + "\n## " + t + "\n" + b)
        main.append(("Commands", intro[1] + "\n" + "\n".join(
            "* **ctrctl-%s(1)**: %s" % (n[0].replace(" ", "-"), first_sentence(b))
            for n, b in verbs)))
    body = ""
    for title, b in main:
        body += ("# " + title.upper() + "\n" if title else "# DESCRIPTION\n") + b + "\n"
    body += "# SEE ALSO\nctrd(8), ctrd-service(5)\n"
    w.page("ctrctl", "1", "the command-line client of ctrd, the container supervisor", body)
    for names, b in verbs:
        page = "ctrctl-" + names[0].replace(" ", "-")
        synopsis, rest = "", b.strip()
        m = re.match(r"```\n(.*?)```\n?(.*)", rest, re.S)
        if m:
            synopsis, rest = m.group(1), m.group(2)
        md = "# SYNOPSIS\n```\n%s```\n\n# DESCRIPTION\n%s\n\n# SEE ALSO\nctrctl(1)\n" % (
            synopsis, promote(rest))
        w.page(page, "1", first_sentence(rest) or ("ctrctl " + names[0]), md)
        for other in names[1:]:
            w.link("ctrctl-" + other.replace(" ", "-"), "1", page)
    # A command group ("healthcheck run", "generate service") gets a page listing its
    # subcommands unless the docs give the group a section of its own.
    pages = {n[0] for n, _ in verbs}
    groups = {}
    for names, b in verbs:
        if " " in names[0]:
            groups.setdefault(names[0].split(" ")[0], []).append((names[0], b))
    for group, subs in sorted(groups.items()):
        if group in pages:
            continue
        md = "# SYNOPSIS\n```\nctrctl %s SUBCOMMAND\n```\n\n# COMMANDS\n%s\n\n# SEE ALSO\nctrctl(1)\n" % (
            group, "\n".join("* **ctrctl-%s(1)**: %s" % (n.replace(" ", "-"), first_sentence(b))
                             for n, b in subs))
        w.page("ctrctl-" + group, "1", "the ctrctl %s commands" % group, md)


def main():
    args = sys.argv[1:]
    md2man = "go-md2man"
    if "--md2man" in args:
        i = args.index("--md2man")
        md2man = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    docs, out = args
    w = Writer(out, md2man)
    ctrctl_pages(w, docs)
    ctrd = demote_title(read(os.path.join(docs, "ctrd.md")))
    w.page("ctrd", "8", "the container supervisor daemon", promote(ctrd) +
           "\n# SEE ALSO\nctrctl(1), ctrd-service(5)\n")
    svc = demote_title(read(os.path.join(docs, "service-files.md")))
    w.page("ctrd-service", "5", "service files: containers ctrd creates and keeps from "
           "--config-dir", "# DESCRIPTION\n" + promote(svc) + "\n# SEE ALSO\nctrd(8), ctrctl(1)\n")
    print("man-pages: %d pages in %s" % (w.count, out))


if __name__ == "__main__":
    main()
