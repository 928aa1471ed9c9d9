// Buttons as the workbench's toolbars draw them (docs/editor.md, "The heap panel"): an icon of the
// product icon font (@vscode/codicons), the button's name as its accessible name and, with its
// key, as its tooltip; shared by the panel's toolbars (toolbar.ts) and the diagram's (diagram.ts).

import { el } from './dom';

/** A codicon, hidden from screen readers (the button carries the name). */
export function codicon(name: string): HTMLSpanElement {
  const icon = el('span', { className: `codicon codicon-${name}` });
  icon.setAttribute('aria-hidden', 'true');
  return icon;
}

export interface IconCommand {
  readonly label: string;
  readonly icon: string;
  /** Its key, as the tooltip writes it and as aria-keyshortcuts says it. */
  readonly key?: { readonly shown: string; readonly aria: string };
  readonly run: () => void;
}

/** An icon button: clicking runs the command unless the button says it is disabled (aria-disabled). */
export function iconButtonOf(c: IconCommand): HTMLButtonElement {
  const b = el('button', { type: 'button', className: 'icon-button', title: c.key ? `${c.label} (${c.key.shown})` : c.label }, codicon(c.icon));
  b.setAttribute('aria-label', c.label);
  if (c.key) b.setAttribute('aria-keyshortcuts', c.key.aria);
  b.addEventListener('click', () => {
    if (b.getAttribute('aria-disabled') !== 'true') c.run();
  });
  return b;
}
