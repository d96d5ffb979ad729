#!/usr/bin/env python3
"""Writes a git fast-import stream of a release-train history to stdout: feature branches merged
into develop, develop merged into testing, testing merged into master and tagged with an
annotated release tag, hotfixes on master merged back into develop. Every merge commit carries
the union of both sides' files, as a real merge would, so the history merges cleanly with git.
Deterministic for a given commit count."""
import random
import sys

from fast_import import Stream

commits = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
rng = random.Random(20000)
stream = Stream(clock=1_500_000_000, step=60, authors=13)
subjects = ["feat(api): add endpoint", "fix: handle empty cart", "docs: explain setup", "refactor(core): split module",
            "chore: bump dependency", "perf: cache prices", "Update translations", "Add missing test"]


def work(branch):
    path = "src/%s.txt" % branch.replace("/", "-")
    next_mark = stream.mark + 1
    stream.emit(branch, "%s %d\n\nDetails of change %d.\n" % (rng.choice(subjects), next_mark, next_mark),
                [(path, "%s %d\n" % (branch, next_mark))])


stream.emit("master", "initial commit\n", [("README.md", "shop\n")])
stream.branch("testing", "master")
stream.branch("develop", "master")
release = 0
feature = 0
while stream.mark < commits:
    roll = rng.randrange(100)
    if roll < 55:
        work("develop")
    elif roll < 85:
        feature += 1
        name = "feature/f%d" % feature
        stream.branch(name, "develop")
        for _ in range(rng.randrange(1, 6)):
            work(name)
        stream.merge(name, "develop", "Merge branch '%s' into develop\n" % name)
        del stream.trees[name]
    elif roll < 97:
        stream.merge("develop", "testing", "Merge branch 'develop' into testing\n")
    else:
        stream.merge("testing", "master", "Merge branch 'testing'\n")
        release += 1
        stream.tag("release1.%d.0-pro-2020%02d01" % (release, release % 12 + 1), "master")
        if rng.randrange(3) == 0:
            work("master")
            stream.merge("master", "develop", "Merge branch 'master' into develop\n")
stream.merge("develop", "testing", "Merge branch 'develop' into testing\n")
stream.done()
