// Every command id in one place; package.json contributes the same ids.

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
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Language ids of the two trace formats. */
export const LANGUAGES = {
  rep: 'malloclab-trace',
  heap: 'heap-script',
} as const;

export const TRACE_LANGUAGES: readonly string[] = [LANGUAGES.rep, LANGUAGES.heap];
