"""Bulk building of django-treebeard materialised-path trees.

`add_child` costs several queries per node; a demo district has thousands of nodes. The
`TreeBuilder` computes treebeard's own `path`, `depth` and `numchild` in memory (the same
encoding: `steplen` characters per level from `alphabet`, children numbered from 1) so a whole
tree goes in with one `bulk_create`. `Area.objects.find_problems()` is empty afterwards
(tested in tests/core/test_trees.py).
"""

from django.db import models


class TreeBuilder:
    def __init__(self, model: type[models.Model]):
        self.model = model
        self.nodes: list[models.Model] = []
        self._children: dict[str, int] = {}  # path of a node -> children given so far
        last_root = model.objects.get_last_root_node()
        self._children[""] = model._str2int(last_root.path) if last_root else 0
        self._existing: dict[str, models.Model] = {}

    def add(self, parent: models.Model | None = None, **fields) -> models.Model:
        """An unsaved node under `parent` (None: a new root); saved by `save()`."""
        parent_path = parent.path if parent is not None else ""
        if parent is not None and parent.pk is not None and parent_path not in self._children:
            # An existing node: continue after its children, and update it on save.
            self._children[parent_path] = (
                self.model._str2int(last.path[-self.model.steplen :])
                if (last := self.model.objects.get_last_child(parent))
                else 0
            )
            self._existing[parent_path] = parent
        position = self._children.get(parent_path, 0) + 1
        self._children[parent_path] = position
        depth = parent.depth + 1 if parent is not None else 1
        node = self.model(
            path=self.model._get_path(parent_path or None, depth, position),
            depth=depth,
            numchild=0,
            **fields,
        )
        if parent is not None:
            parent.numchild += 1
        self.nodes.append(node)
        return node

    def save(self, batch_size: int = 2000) -> list[models.Model]:
        """Insert the new nodes (parents first) and fix the existing parents' numchild."""
        self.nodes.sort(key=lambda n: n.path)
        created = self.model.objects.bulk_create(self.nodes, batch_size=batch_size)
        for node in self._existing.values():
            self.model.objects.filter(pk=node.pk).update(numchild=node.numchild)
        self.nodes = []
        return created
