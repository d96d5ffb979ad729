#!/usr/bin/env python3
"""Writes a git fast-import stream of a wide history shaped like git/git to stdout: about 4,000
files in nested folders, long-lived topic branches that take many commits before they merge
into develop, 1,500 annotated release tags on master and 1,000 other tags (release candidates,
sub-project tags), and, at the end, 700-1,000 commits waiting at each stage (develop → testing,
testing → master). Merge commits carry the union of both sides' files, as a clean merge would.
Deterministic."""
import random
import sys

rng = random.Random(4000)
out = sys.stdout.buffer
mark = 0
clock = 1_300_000_000
tips = {}
trees = {}  # branch -> {path: content} for the paths changed since the initial commit
paths = ["%s/%s/file%03d.c" % (top, sub, index)
         for top in ("builtin", "compat", "contrib", "Documentation", "t", "xdiff", "refs", "reftable")
         for sub in ("a", "b", "c", "d", "e")
         for index in range(100)]  # 4,000 files
subjects = ["feat(diff): add --anchored", "fix: leak in refs iteration", "docs: clarify rebase --onto",
            "refactor(config): split parser", "t4200: cover rerere gc", "perf(pack): avoid second pass",
            "Merge-ready: polish messages", "chore: update translations"]


def emit(branch, message, changes, merge=None):
    global mark, clock
    mark += 1
    clock += 37
    data = message.encode()
    out.write(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), mark))
    out.write(b"author Dev %d <dev%d@example.com> %d +0000\n" % (mark % 41, mark % 41, clock))
    out.write(b"committer Dev %d <dev%d@example.com> %d +0000\n" % (mark % 41, mark % 41, clock))
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
    changes = [(rng.choice(paths), "%s %d\n" % (branch, mark + 1)) for _ in range(rng.randrange(1, 4))]
    emit(branch, "%s %d\n\nWhy change %d was needed.\n" % (rng.choice(subjects), mark + 1, mark + 1), changes)


def merge(source, target, message):
    ours = trees.setdefault(target, {})
    changes = [(path, content) for path, content in sorted(trees[source].items()) if ours.get(path) != content]
    emit(target, message, changes, merge=tips[source])


def branch(name, start):
    tips[name] = tips[start]
    trees[name] = dict(trees[start])


def tag(name, branch, annotated=True):
    if annotated:
        message = ("%s\n" % name).encode()
        out.write(b"tag %s\nfrom :%d\ntagger Releaser <r@example.com> %d +0000\ndata %d\n%s\n"
                  % (name.encode(), tips[branch], clock, len(message), message))
    else:
        out.write(b"reset refs/tags/%s\nfrom :%d\n\n" % (name.encode(), tips[branch]))


emit("master", "initial import\n", [(path, "%s\n" % path) for path in paths])
branch("testing", "master")
branch("develop", "master")
topics = []
topic_count = 0
for release in range(1, 1501):
    # Long-lived topics: a few open at any time, each growing over several releases.
    while len(topics) < 6:
        topic_count += 1
        name = "topic/t%d" % topic_count
        branch(name, "develop")
        topics.append(name)
    for _ in range(rng.randrange(8, 17)):
        if rng.randrange(3) == 0:
            work("develop")
        else:
            work(rng.choice(topics))
    for name in list(topics):
        if rng.randrange(4) == 0:
            merge(name, "develop", "Merge branch '%s' into develop\n" % name)
            topics.remove(name)
            del trees[name]
    merge("develop", "testing", "Merge branch 'develop' into testing\n")
    merge("testing", "master", "Merge branch 'testing'\n")
    day = 1 + release % 28
    tag("release%d.%d.%d-pro-2021%02d%02d" % (2 + release // 400, (release // 20) % 20, release % 20, 1 + release % 12, day), "master")
    if release % 3 == 0:
        tag("v%d.%d.%d-rc%d" % (2 + release // 400, (release // 20) % 20, release % 20, release % 4), "testing")
    if release % 3 == 1:
        tag("gitgui-0.%d.%d" % (release // 10, release % 10), "develop", annotated=False)
    if release % 30 == 0:
        work("master")
        merge("master", "develop", "Merge branch 'master' into develop\n")
for _ in range(20):  # the 1,000th other tag and beyond: what a real repository accumulates
    tag("ci-build-%d" % (mark + _), "master", annotated=False)
# Waiting at each stage: ~800 commits on testing not released, ~900 on develop not promoted.
for _ in range(800):
    work("develop")
merge("develop", "testing", "Merge branch 'develop' into testing\n")
for _ in range(900):
    work("develop")
for name in topics:
    merge(name, "develop", "Merge branch '%s' into develop\n" % name)
out.write(b"done\n")
