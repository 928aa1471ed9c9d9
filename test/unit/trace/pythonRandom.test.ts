// Python's `random` and `int()` as OSTEP's malloc.py uses them, against values CPython 3.11 printed:
// seeds of one word, of two and more (past 2^32 and 2^64), negative seeds, and optparse's radixes.

import assert from 'node:assert/strict';
import { optparseInt, PythonRandom, pythonInt } from '../../../src/trace/index';

/** `random.seed(s)` then four `random.random()`, as CPython printed them. */
const DRAWS: readonly (readonly [string, readonly number[]])[] = [
  ['0', [0.8444218515250481, 0.7579544029403025, 0.420571580830845, 0.25891675029296335]],
  ['1', [0.13436424411240122, 0.8474337369372327, 0.763774618976614, 0.2550690257394217]],
  ['42', [0.6394267984578837, 0.025010755222666936, 0.27502931836911926, 0.22321073814882275]],
  ['4294967295', [0.6353574441341173, 0.20319993954407756, 0.6073666030347188, 0.29133552762158776]],
  ['4294967296', [0.11299430095636409, 0.41782886486292836, 0.0166763664992291, 0.6117214625782752]],
  ['4294967297', [0.2309331037176915, 0.5124118614342635, 0.4145826832477072, 0.09166228226078477]],
  ['9007199254740993', [0.35215327374545125, 0.33727547938757196, 0.1182012438310911, 0.1384605124608541]],
  ['18446744073709551739', [0.7432318140414349, 0.9126915163433719, 0.03128271559721574, 0.5389156997133313]],
  ['-7', [0.32383276483316237, 0.15084917392450192, 0.6509344730398537, 0.07243628666754276]],
  ['12345678901234567890123456789', [0.5990933556797026, 0.6954321581211227, 0.9903921036438804, 0.12773583218219142]],
];

describe('PythonRandom: CPython\'s Mersenne Twister seeded from an integer', () => {
  for (const [seed, draws] of DRAWS) {
    it(`random.seed(${seed}) draws what CPython draws`, () => {
      const random = new PythonRandom(BigInt(seed));
      assert.deepEqual([random.random(), random.random(), random.random(), random.random()], draws);
    });
  }

  it('a negative seed draws what its absolute value draws, and a number seed what its bigint draws', () => {
    const a = new PythonRandom(-42n);
    const b = new PythonRandom(42);
    for (let i = 0; i < 1000; i++) assert.equal(a.random(), b.random());
  });

  it('keeps step with CPython past many twists: the 100,001st draw of seed 0, and getrandbits(32)', () => {
    const random = new PythonRandom(0n);
    for (let i = 0; i < 100_000; i++) random.random();
    assert.equal(random.random(), 0.39378275926583683);
    const words = new PythonRandom(0n);
    assert.deepEqual([words.nextUint32(), words.nextUint32()], [3626764237, 1654615998]);
  });
});

describe('pythonInt and optparseInt: integers read as Python reads them', () => {
  /** optparse's `type='int'` on each text, as CPython 3.11 answered (null: "invalid integer value"). */
  const OPTPARSE: readonly (readonly [string, bigint | null])[] = [
    ['0x1F', 31n], ['0144', 100n], ['0b1010', 10n], ['0b', 0n], ['08', null], ['010', 8n], ['-010', -10n],
    ['0x', null], ['+5', 5n], [' 7 ', 7n], ['1_000', 1000n], ['0_7', 7n], ['0o17', 15n], ['0b0b1', 1n],
    ['-0x10', null], ['0X_ff', 255n], ['00', 0n], ['999999999999999999999999999999', 999999999999999999999999999999n],
  ];
  for (const [text, value] of OPTPARSE) {
    it(`optparse reads ${JSON.stringify(text)} as ${value ?? 'an error'}`, () => assert.equal(optparseInt(text), value));
  }

  it('int(text) in base 10: spaces around, single underscores between digits, leading zeros, a sign', () => {
    assert.equal(pythonInt('007', 10), 7n);
    assert.equal(pythonInt('\f5', 10), 5n);
    assert.equal(pythonInt('-0_0', 10), 0n);
    for (const bad of ['', ' ', '1__0', '_1', '1_', '+-1', '0x10', '1 2', '\x1c5', '5a']) assert.equal(pythonInt(bad, 10), null, JSON.stringify(bad));
  });
});
