// The fit index's table of free sizes by slot, against a Map: sets, overwrites, removals of
// present and absent slots (the entries after a removed one shifted back), growth and clearing.

import assert from 'node:assert/strict';
import { SlotTable } from '../../../src/engine/slotTable';
import { seededRandom as rng } from '../support/generatedTrace';

describe('the slot table', () => {
  it('agrees with a Map through 100,000 random sets and removals, growing and clearing', () => {
    const random = rng(5);
    const table = new SlotTable();
    const model = new Map<number, number>();
    for (let step = 0; step < 100_000; step++) {
      // Few distinct slots early (long probe runs, overwrites), the whole range later (growth).
      const slot = Math.floor(random() * (step < 50_000 ? 3000 : 2 ** 27));
      const r = random();
      if (r < 0.55) {
        const value = 1 + Math.floor(random() * 2 ** 30);
        table.set(slot, value);
        model.set(slot, value);
      } else if (r < 0.9999) {
        assert.equal(table.delete(slot), model.get(slot) ?? 0, `step ${step}: delete ${slot}`);
        model.delete(slot);
      } else {
        table.clear(model.size);
        model.clear();
      }
      if (step % 97 === 0) {
        assert.equal(table.size, model.size, `step ${step}: size`);
        for (const [s, v] of model) assert.equal(table.get(s), v, `step ${step}: get ${s}`);
        assert.equal(table.get(2 ** 27 + 5), 0);
      }
    }
  });
});
