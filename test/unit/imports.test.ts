// No import circle anywhere in src/: every module sits on the ones below it (docs/architecture.md),
// so each can be read, tested and moved from the bottom up. The import statements of every src file
// (type-only ones too: a type import is a dependency of the reader) are read as they are written.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

/** Each module's path (relative to src, `/`-separated) and the src modules it imports. */
type ImportGraph = ReadonlyMap<string, readonly string[]>;

const STATIC = /^(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const BARE = /^import\s*['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative module specifiers a file's text imports or re-exports. */
function specifiers(text: string): string[] {
  return [STATIC, BARE, DYNAMIC].flatMap((re) => Array.from(text.matchAll(re), (m) => m[1]!)).filter((s) => s.startsWith('.'));
}

/** The graph of `files` (path -> text): a specifier `./x` is `x.ts` or `x/index.ts`, whichever exists. */
function importGraph(files: ReadonlyMap<string, string>): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const [path, text] of files) {
    const deps: string[] = [];
    for (const spec of specifiers(text)) {
      const base = posix.normalize(posix.join(posix.dirname(path), spec));
      const hit = [base, `${base}.ts`, `${base}/index.ts`].find((p) => files.has(p));
      if (hit !== undefined && !deps.includes(hit)) deps.push(hit);
    }
    graph.set(path, deps);
  }
  return graph;
}

/** Every import circle, one per group of modules that reach each other, as `a.ts -> b.ts -> a.ts`. */
function importCircles(graph: ImportGraph): string[] {
  const circles: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const inCircle = new Set<string>();
  const visit = (node: string): void => {
    path.push(node);
    onPath.add(node);
    for (const next of graph.get(node) ?? []) {
      if (onPath.has(next)) {
        const circle = path.slice(path.indexOf(next));
        if (!circle.some((m) => inCircle.has(m))) circles.push([...circle, next].join(' -> '));
        for (const m of circle) inCircle.add(m);
      } else if (!done.has(next)) {
        visit(next);
      }
    }
    path.pop();
    onPath.delete(node);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) if (!done.has(node)) visit(node);
  return circles;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : d.name.endsWith('.ts') ? [p] : [];
  });
}

function srcGraph(): ImportGraph {
  const src = join(process.cwd(), 'src');
  const files = new Map(sourceFiles(src).map((f) => [relative(src, f).split(sep).join('/'), readFileSync(f, 'utf8')] as const));
  return importGraph(files);
}

describe('import circles', () => {
  it('src/ has none: each module imports only modules below it', () => {
    const graph = srcGraph();
    assert.ok(graph.has('engine/index.ts') && graph.has('trace/model.ts'), `src/ was not found under ${process.cwd()}`);
    assert.ok((graph.get('trace/model.ts') ?? []).length > 0, 'the import statements were read');
    assert.deepEqual(importCircles(graph), []);
  });

  it("the trace layer's vocabulary is its bottom layer: it imports nothing", () => {
    assert.deepEqual(srcGraph().get('trace/vocabulary.ts'), []);
  });

  it('a circle is found and reported as its path, type-only and re-exports included', () => {
    const files = new Map([
      ['trace/model.ts', "import type { OpTable } from './opTable';\nexport * from './vocabulary';\n"],
      ['trace/opTable.ts', "import {\n  lineRange,\n  type Slot,\n} from './numbers';\n"],
      ['trace/numbers.ts', "import { MAX_SIZE } from './model';\n"],
      ['trace/vocabulary.ts', '// imports nothing\n'],
      ['engine/index.ts', "export { firstIndex } from '../shared/bisect';\n"],
      ['shared/bisect.ts', "import '../engine';\n"],
    ]);
    assert.deepEqual(importCircles(importGraph(files)), ['engine/index.ts -> shared/bisect.ts -> engine/index.ts', 'trace/model.ts -> trace/opTable.ts -> trace/numbers.ts -> trace/model.ts']);
  });

  it('a module that is imported twice by different paths is no circle', () => {
    const files = new Map([
      ['a.ts', "import { b } from './b';\nimport { c } from './c';\n"],
      ['b.ts', "import { c } from './c';\n"],
      ['c.ts', ''],
    ]);
    assert.deepEqual(importCircles(importGraph(files)), []);
  });
});
