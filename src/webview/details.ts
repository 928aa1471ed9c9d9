// The words for one block of a frame: the details pane (block, payload, request, owner, header and
// footer as stored and decoded, problems, lines to reveal) and the screen-reader line. Every
// address and decoded word comes from the host: nothing here infers a layout.

import { linkWordText, listNodeOf, ownerName, type FrameDto, type ViewMessage } from '../shared/protocol';
import { addr, button, el, hex } from './dom';
import { ownerColour, type Theme } from './heapCanvas';

function stateName(frame: FrameDto, i: number): string {
  const s = frame.states[i];
  return s === 'a' ? 'allocated' : s === 'f' ? 'free' : 'freed, never reused';
}

/** One line for block `i`: state, address, size, owner and request. */
export function describeBlock(f: FrameDto, i: number): string {
  const name = ownerName(f, i);
  const owner = name ? `, ${name}` : '';
  const req = f.states[i] === 'a' ? `, ${f.requested[i]} bytes requested` : '';
  return `${stateName(f, i)} block at ${addr(f.addrs[i]!)}, ${f.sizes[i]} bytes${owner}${req}`;
}

/**
 * A header or footer word as stored, with the size and allocated bit the host decoded from it;
 * `room`: the bytes the block keeps for it where no value is stored (OSTEP's header: the model
 * counts its bytes and stores nothing in them).
 */
function word(stored: number | undefined, size: number | undefined, allocated: number | undefined, room = 0): string {
  if (stored === undefined || Number.isNaN(stored) || allocated === undefined || allocated < 0) return room > 0 ? `${room} bytes, no value stored` : 'none';
  return `${hex(stored)} (size ${size}, ${allocated === 1 ? 'allocated' : 'free'})`;
}

/** The details pane's children for block `i`. */
export function blockDetails(f: FrameDto, i: number, theme: Theme, post: (m: ViewMessage) => void): Node[] {
  const rows: [string, string][] = [
    ['block', `${addr(f.addrs[i]!)}, ${f.sizes[i]} bytes, ${stateName(f, i)}`],
    ['payload', `${addr(f.payloadAddrs[i]!)}, ${f.payloadSizes[i]} bytes`],
  ];
  if (f.states[i] === 'a') {
    rows.push(['requested', `${f.requested[i]} bytes (internal fragmentation ${f.sizes[i]! - f.requested[i]!} bytes)`]);
    const name = ownerName(f, i);
    if (name) rows.push(['pointer', name]);
  }
  rows.push(['header', word(f.headers[i], f.headerSizes[i], f.headerAllocated[i], f.payloadAddrs[i]! - f.addrs[i]!)]);
  // A free block on a list: its place in the list and the link words its payload stores.
  const node = listNodeOf(f, f.addrs[i]!);
  if (node) {
    rows.push(['list', `${node.list.label}, node ${node.position + 1} of ${node.list.nodes.length}`]);
    if (node.list.linkWords) rows.push(['next link', linkWordText(node.next, hex)], ['prev link', linkWordText(node.prev, hex)]);
    else rows.push(['links', 'none in the heap: the model keeps its list outside it']);
  }
  rows.push(['footer', word(f.footers[i], f.footerSizes[i], f.footerAllocated[i])]);
  const problem = f.problems.find((p) => p.addr === f.addrs[i]);
  if (problem) rows.push(['problem', problem.message]);
  const dl = el('dl');
  for (const [k, v] of rows) dl.append(el('dt', { textContent: k }), el('dd', { textContent: v }));
  const swatch = el('span', { className: 'swatch' });
  swatch.style.background = f.states[i] === 'a' ? ownerColour(theme, ownerName(f, i)) : 'transparent';
  const line = f.allocLines[i] ?? 0;
  const freeLine = f.freeLines[i] ?? 0;
  const parts: Node[] = [swatch, dl];
  if (line > 0) parts.push(button(`Reveal line ${line}, where this block was allocated`, `allocated on line ${line}: reveal`, () => post({ type: 'revealLine', line })));
  if (freeLine > 0) parts.push(button(`Reveal line ${freeLine}, where this block is freed`, `freed on line ${freeLine}: reveal`, () => post({ type: 'revealLine', line: freeLine })));
  return parts;
}
