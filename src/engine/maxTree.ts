// The fit index's max tree (src/engine/blockIndex.ts): the largest free size of every group of
// slots at the leaves, [leaves, 2 * leaves) of an array laid out as a binary heap (node i's
// children at 2i and 2i + 1, `leaves` a power of two), and above them the maximum of each subtree.
// Only every other level is kept up to date, counted from the leaves, which makes it a tree of four
// children a node (node i's at 4i .. 4i + 3) with half the levels: a descent or a climb costs per
// level, in checks of the array and of the stack, about as much as the compares it makes, so four
// children a level halve that (docs/performance.md, "The fit index's per-op work (issue 17,
// eighth pass)"). Node 1 always holds the largest of all: when the leaves' depth is odd, the kept
// level below it is nodes 2 and 3, its only children. The other levels hold stale values.

/** The parent kept up to date of node `i` (0 for the root). */
function parentOf(i: number): number {
  return i >= 4 ? i >> 2 : i >> 1;
}

/** A leaf rose to `max`: the nodes above it below `max` rise with it. */
export function raiseFrom(tree: Int32Array, leaf: number, max: number): void {
  for (let i = leaf; i >= 1 && tree[i]! < max; i = parentOf(i)) tree[i] = max;
}

/** A leaf's value was set, possibly lower: the nodes above it follow, up to the first that stays. */
export function lowerFrom(tree: Int32Array, leaf: number): void {
  for (let i = leaf; i > 1; ) {
    let m: number;
    if (i >= 4) {
      const c = i & ~3;
      m = Math.max(Math.max(tree[c]!, tree[c + 1]!), Math.max(tree[c + 2]!, tree[c + 3]!));
      i >>= 2;
    } else {
      m = Math.max(tree[2]!, tree[3]!);
      i = 1;
    }
    if (tree[i] === m) return;
    tree[i] = m;
  }
}

/** The first group (leaf - leaves) under kept node `i` (itself >= size) whose largest free size is >= size. */
export function descend(tree: Int32Array, leaves: number, i: number, size: number): number {
  if (i === 1 && (leaves & 0x55555555) === 0) i = tree[2]! >= size ? 2 : 3; // an odd depth: 2 and 3 below the root
  while (i < leaves) {
    const c = 4 * i;
    i = tree[c]! >= size ? c : tree[c + 1]! >= size ? c + 1 : tree[c + 2]! >= size ? c + 2 : c + 3;
  }
  return i - leaves;
}

/** The first group at or after `from` whose largest free size is >= size, or -1. */
export function nextWith(tree: Int32Array, leaves: number, from: number, size: number): number {
  if (from >= leaves) return -1;
  let i = from + leaves;
  for (;;) {
    if (tree[i]! >= size) return descend(tree, leaves, i, size);
    // On to the next subtree to the right: climb while this is its parent's last child.
    while (i >= 4 && (i & 3) === 3) i >>= 2;
    if (i === 1 || i === 3) return -1;
    i++;
  }
}

/** Fills the nodes above the leaves from them: O(leaves). */
export function summariseTree(tree: Int32Array, leaves: number): void {
  for (let i = leaves - 1; i >= 1; i--) tree[i] = Math.max(tree[2 * i]!, tree[2 * i + 1]!);
}
