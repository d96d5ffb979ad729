#!/bin/sh
# What `release cut --dry-run` computes, asked of git without changing anything: the merge of
# testing into master, and the commits since the last release for the ChangeLog.
git merge-tree --write-tree master testing >/dev/null
git log --no-merges --pretty='* %s' "$(git describe --tags --abbrev=0 --match 'release*' master)..testing" >/dev/null
