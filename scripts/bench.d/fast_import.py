"""The git fast-import stream the benchmark's history generators write: commits on branches,
merges that carry the union of both sides' files (a clean merge's result, so git can merge the
history again), and annotated or lightweight tags."""
import sys


class Stream:
    def __init__(self, clock, step, authors):
        self.out = sys.stdout.buffer
        self.mark = 0
        self.clock = clock
        self.step = step        # seconds between commits
        self.authors = authors  # how many "Dev N" take turns
        self.tips = {}
        self.trees = {}         # branch -> {path: content} for the paths written on it

    def emit(self, branch, message, changes, merge=None):
        self.mark += 1
        self.clock += self.step
        author = self.mark % self.authors
        data = message.encode()
        self.out.write(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), self.mark))
        self.out.write(b"author Dev %d <dev%d@example.com> %d +0000\n" % (author, author, self.clock))
        self.out.write(b"committer Dev %d <dev%d@example.com> %d +0000\n" % (author, author, self.clock))
        self.out.write(b"data %d\n%s\n" % (len(data), data))
        if branch in self.tips:
            self.out.write(b"from :%d\n" % self.tips[branch])
        if merge:
            self.out.write(b"merge :%d\n" % merge)
        tree = self.trees.setdefault(branch, {})
        for path, content in changes:
            raw = content.encode()
            self.out.write(b"M 644 inline %s\ndata %d\n%s\n" % (path.encode(), len(raw), raw))
            tree[path] = content
        self.tips[branch] = self.mark

    def merge(self, source, target, message):
        """target gets source's version of every file that differs: a clean merge's result."""
        ours = self.trees.setdefault(target, {})
        changes = [(path, content) for path, content in sorted(self.trees[source].items()) if ours.get(path) != content]
        self.emit(target, message, changes, merge=self.tips[source])

    def branch(self, name, start):
        self.tips[name] = self.tips[start]
        self.trees[name] = dict(self.trees[start])

    def tag(self, name, branch, annotated=True):
        if annotated:
            message = ("%s\n" % name).encode()
            self.out.write(b"tag %s\nfrom :%d\ntagger Releaser <r@example.com> %d +0000\ndata %d\n%s\n"
                           % (name.encode(), self.tips[branch], self.clock, len(message), message))
        else:
            self.out.write(b"reset refs/tags/%s\nfrom :%d\n\n" % (name.encode(), self.tips[branch]))

    def done(self):
        self.out.write(b"done\n")
