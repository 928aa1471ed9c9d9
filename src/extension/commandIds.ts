// Every command id in one place; package.json contributes the same ids.

import type { TraceFormat } from '../trace/index';

/** The task type package.json declares for recordings (recordProgram.ts; in the browser, desktopOnly.ts). */
export const RECORD_TASK_TYPE = 'heapInspector.record';

export const COMMANDS = {
  runTrace: 'heapInspector.runTrace',
  selectPolicy: 'heapInspector.selectPolicy',
  selectPreset: 'heapInspector.selectPreset',
  convertTrace: 'heapInspector.convertTrace',
  newScriptFromSample: 'heapInspector.newScriptFromSample',
  showOutput: 'heapInspector.showOutput',
  comparePolicies: 'heapInspector.comparePolicies',
  showHeapAtStep: 'heapInspector.showHeapAtStep',
  openHeapPanel: 'heapInspector.openHeapPanel',
  openLargeTrace: 'heapInspector.openLargeTrace',
  stepForward: 'heapInspector.stepForward',
  stepBack: 'heapInspector.stepBack',
  resumeReplay: 'heapInspector.resumeReplay',
  newOstepExercise: 'heapInspector.newOstepExercise',
  showAnswers: 'heapInspector.showAnswers',
  hideAnswers: 'heapInspector.hideAnswers',
  revealAnswer: 'heapInspector.revealAnswer',
  runMyAllocator: 'heapInspector.runMyAllocator',
  scoreMyAllocator: 'heapInspector.scoreMyAllocator',
  recordProgram: 'heapInspector.recordProgram',
  exportDiagramSvg: 'heapInspector.exportDiagramSvg',
  exportDiagramPng: 'heapInspector.exportDiagramPng',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Language ids of the trace formats: the two of traces, and the allocation logs read as traces (docs/importing.md). */
export const LANGUAGES = {
  rep: 'malloclab-trace',
  heap: 'heap-script',
  mtrace: 'glibc-mtrace',
  ltrace: 'ltrace-log',
} as const satisfies Record<TraceFormat, string>;

export const TRACE_LANGUAGES: readonly string[] = Object.values(LANGUAGES);

/** The trace format of a language id, or undefined for a language that is not a trace's. */
export function formatOfLanguage(languageId: string): TraceFormat | undefined {
  return (Object.keys(LANGUAGES) as TraceFormat[]).find((format) => LANGUAGES[format] === languageId);
}

/** The language of a trace file from its name's extension (`.rep`, `.heap`, `.mtrace`, `.ltrace`), or undefined. */
export function languageOfPath(path: string): string | undefined {
  const extension = /\.(rep|heap|mtrace|ltrace)$/i.exec(path)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : LANGUAGES[extension as TraceFormat];
}
