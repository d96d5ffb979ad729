#!/usr/bin/env python3
"""Writes a git fast-import stream of a wide history shaped like git/git to stdout: about 4,000
files in nested folders, long-lived topic branches that take many commits before they merge
into develop, 1,500 annotated release tags on master and 1,000 other tags (release candidates,
sub-project tags), and, at the end, 700-1,000 commits waiting at each stage (develop → testing,
testing → master). Merge commits carry the union of both sides' files, as a clean merge would.
Deterministic."""
import random

from fast_import import Stream

rng = random.Random(4000)
stream = Stream(clock=1_300_000_000, step=37, authors=41)
paths = ["%s/%s/file%03d.c" % (top, sub, index)
         for top in ("builtin", "compat", "contrib", "Documentation", "t", "xdiff", "refs", "reftable")
         for sub in ("a", "b", "c", "d", "e")
         for index in range(100)]  # 4,000 files
subjects = ["feat(diff): add --anchored", "fix: leak in refs iteration", "docs: clarify rebase --onto",
            "refactor(config): split parser", "t4200: cover rerere gc", "perf(pack): avoid second pass",
            "Merge-ready: polish messages", "chore: update translations"]


def work(branch):
    next_mark = stream.mark + 1
    changes = [(rng.choice(paths), "%s %d\n" % (branch, next_mark)) for _ in range(rng.randrange(1, 4))]
    stream.emit(branch, "%s %d\n\nWhy change %d was needed.\n" % (rng.choice(subjects), next_mark, next_mark), changes)


stream.emit("master", "initial import\n", [(path, "%s\n" % path) for path in paths])
stream.branch("testing", "master")
stream.branch("develop", "master")
topics = []
topic_count = 0
for release in range(1, 1501):
    # Long-lived topics: a few open at any time, each growing over several releases.
    while len(topics) < 6:
        topic_count += 1
        name = "topic/t%d" % topic_count
        stream.branch(name, "develop")
        topics.append(name)
    for _ in range(rng.randrange(8, 17)):
        if rng.randrange(3) == 0:
            work("develop")
        else:
            work(rng.choice(topics))
    for name in list(topics):
        if rng.randrange(4) == 0:
            stream.merge(name, "develop", "Merge branch '%s' into develop\n" % name)
            topics.remove(name)
            del stream.trees[name]
    stream.merge("develop", "testing", "Merge branch 'develop' into testing\n")
    stream.merge("testing", "master", "Merge branch 'testing'\n")
    day = 1 + release % 28
    stream.tag("release%d.%d.%d-pro-2021%02d%02d" % (2 + release // 400, (release // 20) % 20, release % 20, 1 + release % 12, day), "master")
    if release % 3 == 0:
        stream.tag("v%d.%d.%d-rc%d" % (2 + release // 400, (release // 20) % 20, release % 20, release % 4), "testing")
    if release % 3 == 1:
        stream.tag("gitgui-0.%d.%d" % (release // 10, release % 10), "develop", annotated=False)
    if release % 30 == 0:
        work("master")
        stream.merge("master", "develop", "Merge branch 'master' into develop\n")
for _ in range(20):  # the 1,000th other tag and beyond: what a real repository accumulates
    stream.tag("ci-build-%d" % (stream.mark + _), "master", annotated=False)
# Waiting at each stage: ~800 commits on testing not released, ~900 on develop not promoted.
for _ in range(800):
    work("develop")
stream.merge("develop", "testing", "Merge branch 'develop' into testing\n")
for _ in range(900):
    work("develop")
for name in topics:
    stream.merge(name, "develop", "Merge branch '%s' into develop\n" % name)
stream.done()
