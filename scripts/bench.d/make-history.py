#!/usr/bin/env python3
"""Writes a git fast-import stream of a release-train history to stdout: feature branches merged
into develop, develop merged into testing, testing merged into master and tagged with an
annotated release tag. Deterministic for a given commit count."""
import random
import sys

commits = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
rng = random.Random(20000)
out = sys.stdout.buffer
mark = 0
clock = 1_500_000_000
tips = {}
subjects = ["feat(api): add endpoint", "fix: handle empty cart", "docs: explain setup", "refactor(core): split module",
            "chore: bump dependency", "perf: cache prices", "Update translations", "Add missing test"]


def emit(branch, message, merge=None):
    global mark, clock
    mark += 1
    clock += 60
    data = message.encode()
    out.write(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), mark))
    out.write(b"author Dev %d <dev%d@example.com> %d +0000\n" % (mark % 13, mark % 13, clock))
    out.write(b"committer Dev %d <dev%d@example.com> %d +0000\n" % (mark % 13, mark % 13, clock))
    out.write(b"data %d\n%s\n" % (len(data), data))
    if branch in tips:
        out.write(b"from :%d\n" % tips[branch])
    if merge:
        out.write(b"merge :%d\n" % merge)
    content = b"%s %d\n" % (branch.encode(), mark)
    out.write(b"M 644 inline src/%s.txt\ndata %d\n%s\n" % (branch.replace("/", "-").encode(), len(content), content))
    tips[branch] = mark


def work(branch):
    emit(branch, "%s %d\n\nDetails of change %d.\n" % (rng.choice(subjects), mark + 1, mark + 1))


emit("master", "initial commit\n")
tips["testing"] = tips["develop"] = tips["master"]
release = 0
feature = 0
while mark < commits:
    roll = rng.randrange(100)
    if roll < 55:
        work("develop")
    elif roll < 85:
        feature += 1
        name = "feature/f%d" % feature
        tips[name] = tips["develop"]
        for _ in range(rng.randrange(1, 6)):
            work(name)
        emit("develop", "Merge branch '%s' into develop\n" % name, merge=tips[name])
    elif roll < 97:
        emit("testing", "Merge branch 'develop' into testing\n", merge=tips["develop"])
    else:
        emit("master", "Merge branch 'testing'\n", merge=tips["testing"])
        release += 1
        tag = "release1.%d.0-pro-2020%02d01" % (release, release % 12 + 1)
        message = ("%s\n" % tag).encode()
        out.write(b"tag %s\nfrom :%d\ntagger Releaser <r@example.com> %d +0000\ndata %d\n%s\n"
                  % (tag.encode(), tips["master"], clock, len(message), message))
emit("testing", "Merge branch 'develop' into testing\n", merge=tips["develop"])
out.write(b"done\n")
