// Small DOM and number-formatting helpers shared by the webview's parts.

/** An element with properties and children. */
export const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] => {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
};

/** A button whose accessible name is `label`. */
export function button(label: string, text: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { type: 'button', title: label, textContent: text });
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

/** A word's value in hex (a header, a link word as stored). */
export const hex = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

let addressStyle: { readonly base: number; readonly radix: 10 | 16 } = { base: 0, radix: 16 };

/** How `addr` writes addresses from now on: the trace's (TraceInfoDto.addresses). */
export function setAddressStyle(style: { readonly base: number; readonly radix: 10 | 16 }): void {
  addressStyle = style;
}

/** An address (an offset from the heap's start) as the trace's model writes it: `0x0010`, or `1016` on OSTEP's model. */
export const addr = (offset: number) => (addressStyle.radix === 16 ? hex(addressStyle.base + offset) : String(addressStyle.base + offset));
/** A ratio as a percentage; null (a figure the host could not compute soundly) as "unknown". */
export const pct = (r: number | null) => (r === null ? 'unknown' : `${(r * 100).toFixed(1)}%`);
/** A byte count or count; null as "unknown". */
export const num = (v: number | null, unit = '') => (v === null ? 'unknown' : `${v}${unit}`);
/** A policy as the titles name it. */
