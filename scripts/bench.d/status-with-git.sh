#!/bin/sh
# What `release status` answers, asked of git: the three waiting counts, the release tags
# merged into master, and the working tree.
git rev-list --count testing..develop >/dev/null
git rev-list --count master..testing >/dev/null
git rev-list --count develop..master >/dev/null
git for-each-ref --merged master refs/tags >/dev/null
git status --porcelain >/dev/null
