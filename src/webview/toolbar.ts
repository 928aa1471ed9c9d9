// The toolbars of the heap panel and the study view (docs/editor.md, "The heap panel"): icon
// buttons in the product icon font (@vscode/codicons), grouped like the debug toolbar (first,
// back, play/pause, forward, last), then the next-event control (a kind picked in a dropdown
// between previous and next buttons), the speed, the scrubber; a second toolbar zooms and
// compares. Each command has one key, named in its tooltip, its aria-keyshortcuts and the help line.

import { lowerBound, upperBound } from '../shared/bisect';
import { EVENT_KINDS, type EventKind, type EventsDto, type FrameDto, type TraceInfoDto } from '../shared/protocol';
import { el } from './dom';
import { codicon, iconButtonOf } from './icons';

/** What the toolbar asks of the page: the step is the host's, the zoom and comparison the page's. */
export interface ToolbarHost {
  /** Asks the host for a step (clamped to the trace). */
  goTo(step: number): void;
  zoomBy(factor: number): void;
  zoomTo(zoom: number): void;
  toggleCompare(): void;
}

export interface Toolbar {
  /** The timeline: step buttons, speed, next event, scrubber (role toolbar). */
  readonly controls: HTMLElement;
  /** Zoom and compare (role toolbar; the panel only). */
  readonly zoomBar: HTMLElement;
  /** The keys in one line. */
  readonly help: string;
  /** Shows where the trace is; called on every render. */
  render(trace: TraceInfoDto | null, frame: FrameDto | null, events: EventsDto | null, compareOn: boolean): void;
  /** A new frame arrived: while playing, the next step follows after the speed's interval. */
  framed(step: number): void;
}

/** One command: its name (the accessible name), its key as the tooltip writes it and as KeyboardEvent.key / aria-keyshortcuts say it. */
interface Command {
  readonly label: string;
  readonly icon: string;
  readonly shown: string;
  readonly keys: readonly string[];
  readonly aria: string;
  readonly run: () => void;
}

/** The nouns of the events the timeline can jump to. */
const EVENT_NOUNS: Readonly<Record<EventKind, { one: string; many: string }>> = {
  nulls: { one: 'NULL', many: 'NULLs' },
  coalesces: { one: 'coalesce', many: 'coalesces' },
  growths: { one: 'heap growth', many: 'heap growths' },
  problems: { one: 'problem', many: 'problems' },
};

const SPEEDS = [1, 2, 5, 10, 25, 100];

/** An icon button for a command: its name as the accessible name, the name and key as its tooltip. */
function iconButton(c: Command): HTMLButtonElement {
  return iconButtonOf({ label: c.label, icon: c.icon, key: { shown: c.shown, aria: c.aria }, run: c.run });
}

/** A select drawn as the workbench's dropdown: the chevron is an icon over the native control. */
function dropdown(select: HTMLSelectElement, className: string): HTMLSpanElement {
  return el('span', { className: `dropdown ${className}` }, select, codicon('chevron-down'));
}

const separator = () => el('span', { className: 'separator', role: 'separator' });

export function createToolbar(mode: 'panel' | 'study', host: ToolbarHost): Toolbar {
  let trace: TraceInfoDto | null = null;
  let frame: FrameDto | null = null;
  let events: EventsDto | null = null;
  let playing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const stepBy = (delta: number) => {
    if (frame) host.goTo(frame.step + delta);
  };
  const last = () => (trace ? trace.ops - 1 : 0);

  const speed = el('select', { className: 'speed' });
  speed.setAttribute('aria-label', 'Playback speed');
  for (const s of SPEEDS) speed.append(el('option', { value: String(s), textContent: `${s} ops/s`, selected: s === 5 }));
  const kind = el('select', { className: 'event-kind' });
  kind.setAttribute('aria-label', 'Kind of event');
  kind.addEventListener('change', () => renderEvents());
  const scrubber = el('input', { type: 'range', min: '-1', max: '0', value: '-1', className: 'scrubber' });
  scrubber.setAttribute('aria-label', 'Step');
  scrubber.addEventListener('input', () => host.goTo(Number(scrubber.value)));
  const stepLabel = el('span', { className: 'step-label' });

  const commands = {
    first: { label: 'First op', icon: 'debug-reverse-continue', shown: 'Home', keys: ['Home'], aria: 'Home', run: () => host.goTo(-1) },
    back: { label: 'Step back', icon: 'debug-step-back', shown: '←', keys: ['ArrowLeft'], aria: 'ArrowLeft', run: () => stepBy(-1) },
    play: { label: 'Play', icon: 'play', shown: 'Space', keys: [' '], aria: 'Space', run: () => togglePlay() },
    forward: { label: 'Step forward', icon: 'debug-step-over', shown: '→', keys: ['ArrowRight'], aria: 'ArrowRight', run: () => stepBy(1) },
    last: { label: 'Last op', icon: 'debug-continue', shown: 'End', keys: ['End'], aria: 'End', run: () => host.goTo(last()) },
    previousEvent: { label: 'Previous event', icon: 'arrow-up', shown: 'Shift+N', keys: ['N'], aria: 'Shift+N', run: () => jump(-1) },
    nextEvent: { label: 'Next event', icon: 'arrow-down', shown: 'N', keys: ['n'], aria: 'N', run: () => jump(1) },
    zoomIn: { label: 'Zoom in', icon: 'zoom-in', shown: '+', keys: ['+', '='], aria: '+', run: () => host.zoomBy(0.5) },
    zoomOut: { label: 'Zoom out', icon: 'zoom-out', shown: '-', keys: ['-'], aria: '-', run: () => host.zoomBy(2) },
    fit: { label: 'Fit the heap to the width', icon: 'screen-normal', shown: '0', keys: ['0'], aria: '0', run: () => host.zoomTo(1) },
    compare: { label: 'Compare policies', icon: 'split-horizontal', shown: 'C', keys: ['c'], aria: 'C', run: () => host.toggleCompare() },
  } satisfies Record<string, Command>;
  const buttons = Object.fromEntries(Object.entries(commands).map(([id, c]) => [id, iconButton(c)])) as Record<keyof typeof commands, HTMLButtonElement>;

  const steps = [buttons.first, buttons.back, buttons.play, buttons.forward, buttons.last];
  const controls =
    mode === 'panel'
      ? el('div', { className: 'controls toolbar', role: 'toolbar' }, ...steps, dropdown(speed, 'speed-box'), separator(), el('span', { className: 'events split', role: 'group' }, buttons.previousEvent, dropdown(kind, 'kind-box'), buttons.nextEvent), separator(), scrubber, stepLabel)
      : el('div', { className: 'controls toolbar', role: 'toolbar' }, ...steps, stepLabel);
  controls.setAttribute('aria-label', 'Timeline');
  controls.querySelector('.events')?.setAttribute('aria-label', 'Jump to events');
  const zoomBar = el('div', { className: 'zoom toolbar', role: 'toolbar' }, buttons.zoomIn, buttons.zoomOut, buttons.fit, separator(), buttons.compare);
  zoomBar.setAttribute('aria-label', 'View');

  // Keys the page does not have: the study view steps and plays only.
  const inView = new Set<keyof typeof commands>(mode === 'panel' ? (Object.keys(commands) as (keyof typeof commands)[]) : ['first', 'back', 'play', 'forward', 'last']);
  const byKey = new Map<string, Command>();
  for (const id of inView) for (const key of commands[id].keys) byKey.set(key, commands[id]);

  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement || e.altKey || e.ctrlKey || e.metaKey) return;
    // Shift+N is "N" (and so is N with Caps Lock: the previous event either way).
    const command = byKey.get(e.key);
    // Space on a button presses it.
    if (!command || (e.key === ' ' && t instanceof HTMLButtonElement)) return;
    e.preventDefault();
    command.run();
  });

  function togglePlay(on = !playing): void {
    playing = on;
    clearTimeout(timer);
    const label = playing ? 'Pause' : 'Play';
    buttons.play.replaceChildren(codicon(playing ? 'debug-pause' : 'play'));
    buttons.play.setAttribute('aria-label', label);
    buttons.play.title = `${label} (Space)`;
    if (!playing || !frame) return;
    // At the end, play starts again from before the first op.
    if (frame.step >= last()) host.goTo(-1);
    else stepBy(1);
  }

  function selectedKind(): EventKind {
    return (EVENT_KINDS as readonly string[]).includes(kind.value) ? (kind.value as EventKind) : EVENT_KINDS[0];
  }

  /** The event of the selected kind after (1) or before (-1) the current step, if any. */
  function eventFrom(direction: 1 | -1): number | undefined {
    if (!events || !frame) return undefined;
    const at = frame.step;
    const list = events[selectedKind()];
    // Ascending op indices, millions of them in a long trace: a binary search either way.
    const k = direction === 1 ? upperBound(list, at) : lowerBound(list, at) - 1;
    return k >= 0 && k < list.length ? list[k] : undefined;
  }

  function jump(direction: 1 | -1): void {
    const to = eventFrom(direction);
    if (to !== undefined) host.goTo(to);
  }

  function renderEvents(): void {
    if (mode !== 'panel') return;
    const chosen = selectedKind();
    const options = EVENT_KINDS.map((k) => el('option', { value: k, textContent: `${EVENT_NOUNS[k].many} (${events?.[k].length ?? 0})`, selected: k === chosen }));
    // Rebuilt only when the counts change, so an open dropdown is not closed under the pointer.
    const texts = options.map((o) => o.textContent).join('|');
    if (kind.dataset.texts !== texts) {
      kind.replaceChildren(...options);
      kind.dataset.texts = texts;
    }
    for (const [b, direction, word] of [[buttons.nextEvent, 1, 'Next'], [buttons.previousEvent, -1, 'Previous']] as const) {
      const none = eventFrom(direction) === undefined;
      b.setAttribute('aria-disabled', String(none));
      b.title = `${word} ${EVENT_NOUNS[chosen].one} (${direction === 1 ? 'N' : 'Shift+N'})${none ? ': none' : ''}`;
    }
  }

  return {
    controls,
    zoomBar,
    help:
      mode === 'panel'
        ? 'Keys: ← → step · Home/End first/last op · Space play · N / Shift+N next/previous event · + − zoom · 0 fit · C compare · Tab to the blocks list'
        : 'Keys: ← → step · Home/End first/last op · Space play',
    render(t, f, e, compareOn) {
      trace = t;
      frame = f;
      events = e;
      buttons.compare.setAttribute('aria-pressed', String(compareOn));
      if (!trace || !frame) return;
      scrubber.max = String(trace.ops - 1);
      scrubber.value = String(frame.step);
      stepLabel.textContent = `op ${frame.step + 1} / ${trace.ops}`;
      renderEvents();
    },
    framed(step) {
      if (!playing) return;
      if (step >= last()) togglePlay(false);
      else timer = setTimeout(() => stepBy(1), 1000 / Number(speed.value));
    },
  };
}
