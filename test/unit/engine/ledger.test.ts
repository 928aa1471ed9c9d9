// The driver's ledger: live pointers with their requested sizes, freed ones remembered, in a
// typed-array hash table that keeps its live entries in a dense list so a snapshot visits only
// those. Checked against a plain Map through allocations and frees of 50,000 pointers (the table
// grows many times), pointers freed and handed out again, and a snapshot loaded back.

import assert from 'node:assert/strict';
import { Ledger } from '../../../src/engine/ledger';
import { seededRandom } from '../support/generatedTrace';

function pairs(saved: { live: Uint32Array }): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < saved.live.length; k += 2) out.push([saved.live[k]!, saved.live[k + 1]!]);
  return out.sort((a, b) => a[0] - b[0]);
}

describe('ledger', () => {
  it('agrees with a plain map through 50,000 pointers, frees and reuse', () => {
    const random = seededRandom(9);
    const ledger = new Ledger();
    const live = new Map<number, number>();
    const freed = new Set<number>();
    let peak = 0;
    for (let step = 0; step < 120_000; step++) {
      const livePtrs = [...live.keys()];
      if (live.size > 0 && random() < 0.45) {
        const ptr = livePtrs[Math.floor(random() * livePtrs.length)]!;
        ledger.release(ptr);
        live.delete(ptr);
        freed.add(ptr);
      } else {
        // New pointers mostly, sometimes one freed before handed out again.
        const reuse = freed.size > 0 && random() < 0.2;
        // Payloads are aligned; a corrupted heap's may not be (kept apart from the aligned ones' bitmap).
        const ptr = reuse ? [...freed][Math.floor(random() * freed.size)]! : 16 * (1 + Math.floor(random() * 50_000)) + (random() < 0.05 ? 4 : 0);
        if (live.has(ptr)) continue;
        const size = 1 + Math.floor(random() * 4000);
        ledger.allocate(ptr, size);
        live.set(ptr, size);
        freed.delete(ptr);
      }
      // Any pointer's status, as the driver asks before a free or a realloc.
      const asked = 4 * Math.floor(random() * 200_004);
      assert.equal(ledger.status(asked), live.has(asked) ? 'live' : freed.has(asked) ? 'freed' : 'unknown', `step ${step}: the status of ${asked}`);
      assert.equal(ledger.requestSize(asked), live.get(asked), `step ${step}: the size of ${asked}`);
      if (step % 10_000 === 0 || step === 119_999) {
        const saved = ledger.save();
        assert.deepEqual(pairs(saved), [...live].sort((a, b) => a[0] - b[0]), `step ${step}: the live pointers`);
        assert.deepEqual([...saved.freed].sort((a, b) => a - b), [...freed].sort((a, b) => a - b), `step ${step}: the freed pointers`);
        assert.equal(ledger.allocations.size, live.size);
        const payload = [...live.values()].reduce((sum, size) => sum + size, 0);
        assert.equal(ledger.livePayload, payload, `step ${step}: the live payload`);
        peak = Math.max(peak, payload);
        assert.ok(ledger.peakPayload >= peak, `step ${step}: the peak payload`);
      }
    }
    for (const ptr of [...freed].slice(0, 100)) assert.equal(ledger.status(ptr), 'freed');
    for (const ptr of [...live.keys()].slice(0, 100)) assert.equal(ledger.status(ptr), 'live');
    const copy = new Ledger();
    copy.load(ledger.save());
    assert.deepEqual(pairs(copy.save()), pairs(ledger.save()), 'a snapshot loads back');
    assert.deepEqual([...copy.save().freed].sort((a, b) => a - b), [...freed].sort((a, b) => a - b), 'with its freed pointers');
    for (const ptr of [...freed].slice(0, 100)) assert.equal(copy.status(ptr), 'freed');
    assert.equal(copy.livePayload, ledger.livePayload);
  });

  it('keeps the live payload through a pointer handed out while live (a corrupted heap), frees of unknown and freed pointers, and misaligned ones', () => {
    const ledger = new Ledger();
    ledger.allocate(64, 100);
    ledger.allocate(64, 30); // handed out again while live: it now holds 30 bytes
    assert.equal(ledger.livePayload, 30);
    assert.equal(ledger.peakPayload, 100);
    ledger.allocate(68, 7); // misaligned
    ledger.release(68);
    assert.equal(ledger.status(68), 'freed');
    ledger.release(68); // freed twice: nothing changes
    ledger.release(4096); // never seen
    assert.equal(ledger.livePayload, 30);
    ledger.allocate(68, 5); // the misaligned freed pointer handed out again
    assert.equal(ledger.status(68), 'live');
    assert.equal(ledger.livePayload, 35);
    ledger.release(64);
    ledger.allocate(64, 1);
    assert.equal(ledger.livePayload, 6);
    assert.equal(ledger.requestSize(64), 1);
    assert.deepEqual([...ledger.save().freed], []);
  });
});
