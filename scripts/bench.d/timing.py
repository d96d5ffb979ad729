#!/usr/bin/env python3
"""Times commands side by side: each repetition runs every command once, in rotating order,
so machine noise hits them alike. Prints medians and each ratio to the first command. A command
slower than a second is sampled three times only.
usage: timing.py RUNS DIR NAME CMD [NAME CMD ...]   (CMD is split like a shell would, then run
without a shell)"""
import shlex
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
folder = sys.argv[2]
pairs = sys.argv[3:]
commands = [(pairs[i], shlex.split(pairs[i + 1])) for i in range(0, len(pairs), 2)]
samples = {name: [] for name, _ in commands}

slow = set()
for name, argv in commands:  # warm the page cache and check that each one works
    start = time.perf_counter()
    subprocess.run(argv, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    if time.perf_counter() - start > 1:
        slow.add(name)
for repetition in range(runs):
    shift = repetition % len(commands)
    for name, argv in commands[shift:] + commands[:shift]:
        if name in slow and len(samples[name]) >= 3:
            continue
        start = time.perf_counter()
        subprocess.run(argv, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        samples[name].append(time.perf_counter() - start)

base = statistics.median(samples[commands[0][0]])
print(f"{'command':<28} {'median':>10} {'min':>10} {'max':>10} {'ratio':>7}")
for name, _ in commands:
    values = samples[name]
    median = statistics.median(values)
    print(f"{name:<28} {median * 1000:>8.1f}ms {min(values) * 1000:>8.1f}ms {max(values) * 1000:>8.1f}ms {median / base:>7.2f}")
