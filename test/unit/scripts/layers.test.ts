// The table "Who may import whom" in docs/architecture.md, enforced: every import of every file in
// src/ (static, type-only, re-exports, dynamic import()) read with TypeScript's own pre-processor,
// and checked against the row of the folder the file lives in.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

const ROOT = process.cwd();
const SRC = join(ROOT, 'src');

interface LayerRule {
  readonly folder: string;
  readonly fromSrc: ReadonlySet<string>;
  readonly outside: readonly string[];
}

/** The rows of the table under "## Who may import whom": backticked names in each cell. */
function readRules(): Map<string, LayerRule> {
  const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith('Who may import whom'));
  assert.ok(section, 'docs/architecture.md has a section "## Who may import whom"');
  const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  const rules = new Map<string, LayerRule>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 4 || !cells[0]!.startsWith('`')) continue;
    const [folder] = names(cells[0]!);
    rules.set(folder!, { folder: folder!, fromSrc: new Set(names(cells[2]!)), outside: names(cells[3]!) });
  }
  return rules;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? sourceFiles(p) : /\.(ts|mts|tsx)$/.test(d.name) ? [p] : [];
  });
}

/** Every module specifier a file names, with its line. */
function importsOf(file: string): { specifier: string; line: number }[] {
  const text = readFileSync(file, 'utf8');
  const info = ts.preProcessFile(text, true, true);
  const lineOf = (pos: number) => text.slice(0, pos).split('\n').length;
  return info.importedFiles.map((f) => ({ specifier: f.fileName, line: lineOf(f.pos) }));
}

/** The top folder of src/ a file is in, or null for a path outside src/. */
function folderOf(path: string): string | null {
  const rel = relative(SRC, path);
  if (rel.startsWith('..') || rel === '') return null;
  return rel.split(sep)[0]!;
}

/** Why `specifier`, imported from `file`, breaks the rule; null when the rule allows it. */
function violation(file: string, specifier: string, rule: LayerRule): string | null {
  if (specifier.startsWith('.')) {
    const target = folderOf(resolve(dirname(file), specifier));
    if (target === null) return `reaches outside src/`;
    return rule.fromSrc.has(target) ? null : `${rule.folder} may not import ${target}`;
  }
  const allowed = rule.outside.some((o) => (o.endsWith(':') ? specifier.startsWith(o) : specifier === o));
  return allowed ? null : `${rule.folder} may not import the module '${specifier}'`;
}

describe('layers: who may import whom (docs/architecture.md)', () => {
  const rules = readRules();
  const files = sourceFiles(SRC);

  it('the table has a row for every folder of src/, and names only folders that exist', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    assert.deepEqual([...rules.keys()].sort(), folders);
    for (const rule of rules.values()) {
      for (const target of rule.fromSrc) assert.ok(folders.includes(target), `${rule.folder}'s row names '${target}', not a folder of src/`);
      assert.ok(rule.fromSrc.has(rule.folder), `${rule.folder} may import its own files`);
    }
  });

  it('reads imports of every kind (the checker is not blind)', () => {
    const specifiers = ts.preProcessFile(
      [
        "import { a } from './a';",
        "import type {\n  B,\n} from '../engine/b';",
        "export * from './c';",
        "export { d } from 'vscode';",
        "const e = await import('node:fs');",
        "import './f';",
      ].join('\n'),
      true,
      true,
    ).importedFiles.map((f) => f.fileName);
    assert.deepEqual(specifiers, ['./a', '../engine/b', './c', 'vscode', 'node:fs', './f']);
    const engine = rules.get('engine')!;
    assert.match(violation(join(SRC, 'engine', 'x.ts'), 'vscode', engine) ?? '', /may not import the module 'vscode'/);
    assert.match(violation(join(SRC, 'engine', 'x.ts'), '../extension/panels', engine) ?? '', /engine may not import extension/);
    assert.equal(violation(join(SRC, 'engine', 'x.ts'), './layout', engine), null);
  });

  it('finds source files in every folder', () => {
    for (const folder of rules.keys()) {
      assert.ok(files.some((f) => folderOf(f) === folder), `no source file found in src/${folder}`);
    }
  });

  it('every import in src/ is one its folder may make', () => {
    const problems: string[] = [];
    for (const file of files) {
      const folder = folderOf(file);
      const rule = folder === null ? undefined : rules.get(folder);
      if (!rule) {
        problems.push(`${relative(ROOT, file)}: in no folder of the table`);
        continue;
      }
      for (const { specifier, line } of importsOf(file)) {
        const why = violation(file, specifier, rule);
        if (why) problems.push(`${relative(ROOT, file)}:${line}: '${specifier}': ${why}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
