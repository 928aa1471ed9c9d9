// The documentation's links hold: every relative link in README.md and docs/ names a file that
// exists, and every docs/*.md a comment or message in src/, test/, scripts/ or bench/ cites is there.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = process.cwd();

function files(dir: string, ext: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? files(p, ext) : ext.test(d.name) ? [p] : [];
  });
}

describe('documentation links', () => {
  it('every relative link in README.md and docs/*.md names a file of the repository', () => {
    const broken: string[] = [];
    for (const doc of [join(ROOT, 'README.md'), ...files(join(ROOT, 'docs'), /\.md$/)]) {
      const text = readFileSync(doc, 'utf8');
      for (const m of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (target === '' || /^[a-z]+:/i.test(target)) continue;
        if (!existsSync(join(dirname(doc), target))) broken.push(`${relative(ROOT, doc)}: ${m[1]}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('every docs/*.md that code cites exists', () => {
    const missing = new Set<string>();
    for (const file of ['src', 'test', 'scripts', 'bench'].flatMap((d) => files(join(ROOT, d), /\.(ts|mts|mjs)$/))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bdocs\/([a-z0-9-]+\.md)\b/g)) {
        if (!existsSync(join(ROOT, 'docs', m[1]!))) missing.add(`${relative(ROOT, file)}: docs/${m[1]}`);
      }
    }
    assert.deepEqual([...missing], []);
  });
});
