"""The comment tree's invariants: finding what breaks them, and the layout that repairs it."""

from collections import Counter, defaultdict
from typing import NamedTuple

from django.db.models import OuterRef, Subquery

from threads.models import Comment, Thread
from threads.text.zlacker import post_name

NODE_FIELDS = ("id", "thread_id", "tree_id", "parent_id", "ref", "lft", "rght", "level", "state")


class Node(NamedTuple):
    id: int
    thread_id: int
    tree_id: int
    parent_id: int | None
    ref: int
    lft: int
    rght: int
    level: int
    state: str
    username: str


class Place(NamedTuple):
    """Where a post belongs in a sound tree."""

    parent_id: int | None
    ref: int
    lft: int
    rght: int
    level: int


def thread_nodes(thread_id: int) -> list[Node]:
    """Every post of a thread, by its thread key rather than its tree fields: one query."""
    rows = Comment.objects.filter(thread_id=thread_id).order_by("lft", "pk")
    return [Node(*row) for row in rows.values_list(*NODE_FIELDS, "author__username")]


def thread_ops_fill(threads=Thread, comments=Comment) -> None:
    """Names the root of its tree as the opening post of each thread that names none: for rows
    written before Thread.op was (the migration passes its own models) and their backups."""
    root = comments.objects.filter(thread_id=OuterRef("pk"), parent=None).values("pk")[:1]
    threads.objects.filter(op=None).update(op=Subquery(root))


def intruders(thread_id: int) -> list[Node]:
    """Posts of other threads whose tree fields put them in this thread's tree."""
    rows = Comment.objects.filter(tree_id=thread_id).exclude(thread_id=thread_id)
    return [Node(*row) for row in rows.values_list(*NODE_FIELDS, "author__username")]


def thread_problems(thread: Thread) -> list[str]:
    """What is wrong with a thread's tree and its reply counter, one line each."""
    nodes = thread_nodes(thread.pk)
    problems = tree_problems(thread.pk, nodes) + _op_problems(thread, nodes)
    for node in intruders(thread.pk):
        problems.append(
            f"{_label(node)} belongs to thread {node.thread_id} but sits in this thread's tree"
        )
    if nodes and thread.comment_count != reply_count(nodes):
        problems.append(
            f"the thread counts {thread.comment_count} replies but has {reply_count(nodes)}"
        )
    return problems


def _op_problems(thread: Thread, nodes: list[Node]) -> list[str]:
    roots = [node.id for node in nodes if node.parent_id is None]
    if not roots or thread.op_id in roots:
        return []
    return [f"the thread names post {thread.op_id} as its opening post, not its root {roots[0]}"]


def reply_count(nodes: list[Node]) -> int:
    """The replies a thread's "N comments" counts: those a reader can read, so neither deleted
    by their authors, removed by moderators nor hidden by flags."""
    return sum(1 for node in nodes if node.parent_id and node.state == Comment.State.VISIBLE)


def tree_problems(thread_id: int, nodes: list[Node]) -> list[str]:
    """Every broken invariant of one thread's tree, given all of its posts."""
    if not nodes:
        return ["the thread has no opening post"]
    problems = []
    problems += _root_problems(nodes)
    problems += _interval_problems(nodes)
    problems += _parent_problems(thread_id, nodes)
    problems += _implied_parent_problems(nodes)
    problems += _name_problems(nodes)
    return problems


def _label(node: Node) -> str:
    return f"post {post_name(node.username, node.ref)} (id {node.id})"


def _root_problems(nodes: list[Node]) -> list[str]:
    roots = [node for node in nodes if node.parent_id is None]
    if len(roots) != 1:
        return [f"the tree has {len(roots)} roots instead of one"]
    root, width = roots[0], 2 * len(nodes)
    if (root.lft, root.rght, root.level) != (1, width, 0):
        return [
            f"the root {_label(root)} has lft {root.lft}, rght {root.rght}, level {root.level}"
            f" instead of 1, {width}, 0"
        ]
    return []


def _interval_problems(nodes: list[Node]) -> list[str]:
    problems = [
        f"{_label(node)} has lft {node.lft} not below its rght {node.rght}"
        for node in nodes
        if node.lft >= node.rght
    ]
    used = Counter(value for node in nodes for value in (node.lft, node.rght))
    problems += [
        f"the value {value} is used {count} times as lft or rght"
        for value, count in sorted(used.items())
        if count > 1
    ]
    return problems


def _parent_problems(thread_id: int, nodes: list[Node]) -> list[str]:
    by_id = {node.id: node for node in nodes}
    problems = []
    for node in nodes:
        if node.tree_id != thread_id:
            problems.append(f"{_label(node)} has tree_id {node.tree_id}, not {thread_id}")
        if node.parent_id is None:
            continue
        parent = by_id.get(node.parent_id)
        if parent is None:
            problems.append(f"{_label(node)} answers post {node.parent_id}, not in this thread")
            continue
        if not parent.lft < node.lft < node.rght < parent.rght:
            problems.append(
                f"{_label(node)} [{node.lft}, {node.rght}] is not inside its parent"
                f" {_label(parent)} [{parent.lft}, {parent.rght}]"
            )
        if node.level != parent.level + 1:
            problems.append(
                f"{_label(node)} has level {node.level}; its parent has level {parent.level}"
            )
    return problems


def _implied_parent_problems(nodes: list[Node]) -> list[str]:
    """The parent each interval sits in must be the parent the post answers."""
    problems, open_nodes = [], []
    for node in sorted(nodes, key=lambda node: (node.lft, -node.rght)):
        while open_nodes and open_nodes[-1].rght < node.lft:
            open_nodes.pop()
        implied = open_nodes[-1].id if open_nodes else None
        if implied != node.parent_id:
            problems.append(
                f"{_label(node)} answers {node.parent_id} but its interval puts it under {implied}"
            )
        open_nodes.append(node)
    return problems


def _name_problems(nodes: list[Node]) -> list[str]:
    names = Counter(post_name(node.username, node.ref) for node in nodes)
    refs = Counter(node.ref for node in nodes)
    problems = [f"the name {name} is used {n} times" for name, n in names.items() if n > 1]
    problems += [f"the number {ref} is used {n} times" for ref, n in refs.items() if n > 1]
    return problems


def repaired_layout(nodes: list[Node]) -> dict[int, Place]:
    """The sound tree the parent links describe, keeping every name and the order readers saw.

    The opening post (the lowest number) is the root. A post whose parent is missing, in
    another thread, or part of a loop is attached to the root. Siblings keep their order by
    lft where those are sane (each inside its parent's interval, none used twice in the tree),
    else they go by number, which is the order they were written in.
    A number used twice stays with its oldest post; the others get new numbers at the end.
    """
    root = min(nodes, key=lambda node: (node.parent_id is not None, node.ref))
    by_id = {node.id: node for node in nodes}
    used = Counter(value for node in nodes for value in (node.lft, node.rght))
    parents = _sound_parents(nodes, root.id)
    refs = _unique_refs(nodes)
    children = defaultdict(list)
    for node in nodes:
        if node.id != root.id:
            children[parents[node.id]].append(node)
    layout: dict[int, Place] = {}
    counter = 1
    # Iterative depth-first walk: a thread's depth is unbounded, Python's recursion is not.
    stack = [(root, 0, False)]
    opened: dict[int, int] = {}
    while stack:
        node, level, done = stack.pop()
        if done:
            place = Place(parents[node.id], refs[node.id], opened[node.id], counter, level)
            layout[node.id] = place
            counter += 1
            continue
        opened[node.id] = counter
        counter += 1
        stack.append((node, level, True))
        for child in reversed(_ordered(by_id[node.id], children[node.id], used)):
            stack.append((child, level + 1, False))
    return layout


def _sound_parents(nodes: list[Node], root_id: int) -> dict[int, int | None]:
    ids = {node.id for node in nodes}
    parents = {
        node.id: node.parent_id if node.parent_id in ids and node.parent_id != node.id else root_id
        for node in nodes
    }
    parents[root_id] = None
    while True:
        reached = _reachable(parents, root_id)
        stranded = [node for node in nodes if node.id not in reached]
        if not stranded:
            return parents
        # A loop of parent links: cut it at its oldest post.
        parents[min(stranded, key=lambda node: node.ref).id] = root_id


def _reachable(parents: dict[int, int | None], root_id: int) -> set[int]:
    children = defaultdict(list)
    for node_id, parent_id in parents.items():
        children[parent_id].append(node_id)
    reached, todo = set(), [root_id]
    while todo:
        node_id = todo.pop()
        reached.add(node_id)
        todo.extend(children[node_id])
    return reached


def _unique_refs(nodes: list[Node]) -> dict[int, int]:
    refs, seen = {}, set()
    top = max(node.ref for node in nodes)
    for node in sorted(nodes, key=lambda node: (node.ref, node.id)):
        if node.ref in seen:
            top += 1
            refs[node.id] = top
        else:
            refs[node.id] = node.ref
            seen.add(node.ref)
    return refs


def _ordered(parent: Node, siblings: list[Node], used: Counter) -> list[Node]:
    sane = all(parent.lft < node.lft < parent.rght and used[node.lft] == 1 for node in siblings)
    if sane:
        return sorted(siblings, key=lambda node: node.lft)
    return sorted(siblings, key=lambda node: (node.ref, node.id))
