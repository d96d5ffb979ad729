#!/usr/bin/env python3
"""Writes a git fast-import stream of a release-train history to stdout: feature branches merged
into develop, develop merged into testing, testing merged into master and tagged with an
annotated release tag, hotfixes on master merged back into develop. Every merge commit carries
the union of both sides' files, as a real merge would, so the history merges cleanly with git.
Deterministic for a given commit count."""
import random
import sys

commits = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
rng = random.Random(20000)
out = sys.stdout.buffer
mark = 0
clock = 1_500_000_000
tips = {}
trees = {}  # branch -> {path: content}
subjects = ["feat(api): add endpoint", "fix: handle empty cart", "docs: explain setup", "refactor(core): split module",
            "chore: bump dependency", "perf: cache prices", "Update translations", "Add missing test"]


def emit(branch, message, changes, merge=None):
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
    tree = trees.setdefault(branch, {})
    for path, content in changes:
        raw = content.encode()
        out.write(b"M 644 inline %s\ndata %d\n%s\n" % (path.encode(), len(raw), raw))
        tree[path] = content
    tips[branch] = mark


def work(branch):
    path = "src/%s.txt" % branch.replace("/", "-")
    emit(branch, "%s %d\n\nDetails of change %d.\n" % (rng.choice(subjects), mark + 1, mark + 1),
         [(path, "%s %d\n" % (branch, mark + 1))])


def merge(source, target, message):
    """target gets source's version of every file that differs: a clean merge's result."""
    ours = trees.setdefault(target, {})
    changes = [(path, content) for path, content in sorted(trees[source].items()) if ours.get(path) != content]
    emit(target, message, changes, merge=tips[source])


def branch(name, start):
    tips[name] = tips[start]
    trees[name] = dict(trees[start])


emit("master", "initial commit\n", [("README.md", "shop\n")])
branch("testing", "master")
branch("develop", "master")
release = 0
feature = 0
while mark < commits:
    roll = rng.randrange(100)
    if roll < 55:
        work("develop")
    elif roll < 85:
        feature += 1
        name = "feature/f%d" % feature
        branch(name, "develop")
        for _ in range(rng.randrange(1, 6)):
            work(name)
        merge(name, "develop", "Merge branch '%s' into develop\n" % name)
        del trees[name]
    elif roll < 97:
        merge("develop", "testing", "Merge branch 'develop' into testing\n")
    else:
        merge("testing", "master", "Merge branch 'testing'\n")
        release += 1
        tag = "release1.%d.0-pro-2020%02d01" % (release, release % 12 + 1)
        message = ("%s\n" % tag).encode()
        out.write(b"tag %s\nfrom :%d\ntagger Releaser <r@example.com> %d +0000\ndata %d\n%s\n"
                  % (tag.encode(), tips["master"], clock, len(message), message))
        if rng.randrange(3) == 0:
            work("master")
            merge("master", "develop", "Merge branch 'master' into develop\n")
merge("develop", "testing", "Merge branch 'develop' into testing\n")
out.write(b"done\n")
