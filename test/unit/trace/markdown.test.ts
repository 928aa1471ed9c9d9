// Trace text in hovers is escaped, never taken as Markdown (issue 13, finding 11): a pointer's
// name today is an identifier, but nothing in the hover may rely on that.

import assert from 'node:assert/strict';
import { codeSpan, escapeMarkdown } from '../../../src/trace/index';

describe('trace text in Markdown', () => {
  it('a code span holds any text: backticks get a longer fence, line breaks become spaces', () => {
    assert.equal(codeSpan('p'), '`p`');
    assert.equal(codeSpan('a`b'), '``a`b``');
    assert.equal(codeSpan('``x'), '``` ``x ```');
    assert.equal(codeSpan('line\nbreak\r\n[x](command:evil)'), '`line break [x](command:evil)`');
  });

  it('escaped text has no link, emphasis, heading, HTML or code left', () => {
    const text = '[run](command:workbench.action.quit) *bold* _it_ # head <img src=x> `code` ~~s~~ | a!';
    const escaped = escapeMarkdown(text);
    // Every special character is preceded by a backslash.
    for (let i = 0; i < escaped.length; i++) {
      if ('[]()*_#<>`~|!'.includes(escaped[i]!)) assert.equal(escaped[i - 1], '\\', `${escaped[i]} at ${i} is escaped`);
    }
    assert.equal(escaped.replace(/\\(.)/g, '$1'), text, 'and nothing else changes');
  });
});
