#!/usr/bin/env python3
"""Times the first `release status` after a clone against git's equivalent commands on another
fresh clone: each repetition clones the repository twice (untimed, with local branches for the
three flow branches), then times one run in each.
usage: first-run.py RUNS REPOSITORY RELEASE_BINARY WORKDIR"""
import os
import shutil
import statistics
import subprocess
import sys
import time

runs, source, release, work = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "status-with-git.sh")


def clone(name):
    target = os.path.join(work, name)
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", "--no-local", source, target], check=True)
    for branch in ("testing", "master"):
        subprocess.run(["git", "branch", "-q", branch, "origin/" + branch], cwd=target, check=True)
    return target


def timed(argv, folder):
    start = time.perf_counter()
    subprocess.run(argv, cwd=folder, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


os.makedirs(work, exist_ok=True)
samples = {"git's equivalent": [], "release status": []}
for repetition in range(runs):
    samples["release status"].append(timed([release, "status"], clone("release")))
    samples["git's equivalent"].append(timed(["sh", script], clone("git")))
shutil.rmtree(work, ignore_errors=True)
base = statistics.median(samples["git's equivalent"])
print(f"{'first run after a clone':<28} {'median':>10} {'min':>10} {'max':>10} {'ratio':>7}")
for name, values in samples.items():
    median = statistics.median(values)
    print(f"{name:<28} {median * 1000:>8.1f}ms {min(values) * 1000:>8.1f}ms {max(values) * 1000:>8.1f}ms {median / base:>7.2f}")
