#!/usr/bin/env python3
"""Times `release cut` (and cut + finish) against `git flow release finish` on fresh copies of the
same history. Each repetition copies the repository twice (untimed), prepares each tool the way
its runbook needs (git flow init + release start; testing already holds develop for release), then
times the release step.
usage: flow-timing.py RUNS REPOSITORY RELEASE_BINARY WORKDIR"""
import os
import shutil
import statistics
import subprocess
import sys
import time

runs, source, release, work = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
environment = dict(os.environ, GIT_MERGE_AUTOEDIT="no", GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
                   GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com")


def run(argv, folder):
    subprocess.run(argv, cwd=folder, env=environment, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def timed(argv, folder):
    start = time.perf_counter()
    run(argv, folder)
    return time.perf_counter() - start


def fresh(name):
    """A copy with a fresh index, like a working copy in use: `cp -a` changes inode numbers,
    which would make either tool re-read every file once."""
    target = os.path.join(work, name)
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["cp", "-a", source, target], check=True)
    run(["git", "update-index", "-q", "--refresh"], target)
    return target


os.makedirs(work, exist_ok=True)
samples = {"release cut": [], "release cut + finish": [], "git flow release finish": []}
for repetition in range(runs):
    mine = fresh("release")
    cut = timed([release, "cut", "--version", "9.9.9", "--date", "20261121"], mine)
    finish = timed([release, "finish"], mine)
    samples["release cut"].append(cut)
    samples["release cut + finish"].append(cut + finish)

    theirs = fresh("git-flow")
    run(["git", "flow", "init", "-d"], theirs)
    run(["git", "flow", "release", "start", "9.9.9"], theirs)
    samples["git flow release finish"].append(timed(["git", "flow", "release", "finish", "-m", "release 9.9.9", "9.9.9"], theirs))

shutil.rmtree(work, ignore_errors=True)
base = statistics.median(samples["git flow release finish"])
print(f"{'command':<28} {'median':>10} {'min':>10} {'max':>10} {'ratio':>7}")
for name in ["git flow release finish", "release cut", "release cut + finish"]:
    values = samples[name]
    median = statistics.median(values)
    print(f"{name:<28} {median * 1000:>8.1f}ms {min(values) * 1000:>8.1f}ms {max(values) * 1000:>8.1f}ms {median / base:>7.2f}")
