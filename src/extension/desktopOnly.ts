// The commands that need a process (docs/editor.md, "In the browser"): in the browser's web worker
// host they are hidden from menus and the palette (package.json's when-clauses read the context key
// set here) and, invoked anyway, say in one sentence that they need the desktop app.

import * as vscode from 'vscode';
import { COMMANDS, RECORD_TASK_TYPE } from './commandIds';
import { DisposableStore } from './dispose';

/** Set to true by the browser entry: package.json hides the commands that need a process. */
export const WEB_WORKER_CONTEXT = 'heapInspector.webWorker';

/** Each desktop-only command and the sentence it says in the browser. */
export const DESKTOP_ONLY: Readonly<Record<string, string>> = {
  [COMMANDS.runMyAllocator]: 'Heap Inspector: Run My Allocator needs the desktop VS Code app, because compiling and running your mm.c needs a process, which the browser does not have.',
  [COMMANDS.scoreMyAllocator]: 'Heap Inspector: Score My Allocator needs the desktop VS Code app, because compiling and running your mm.c needs a process, which the browser does not have.',
  [COMMANDS.recordProgram]: 'Heap Inspector: Record a Program\'s Allocations needs the desktop VS Code app, because running a program needs a process, which the browser does not have.',
};

/** Registers each desktop-only command as its sentence (also returned, for tests), and sets the context key. */
export function registerDesktopOnly(): vscode.Disposable {
  const store = new DisposableStore();
  for (const [id, sentence] of Object.entries(DESKTOP_ONLY)) {
    store.add(
      vscode.commands.registerCommand(id, () => {
        void vscode.window.showInformationMessage(sentence);
        return sentence;
      }),
    );
  }
  // A heapInspector.record task from tasks.json: it runs a program too, so it says the same instead of doing nothing.
  store.add(
    vscode.tasks.registerTaskProvider(RECORD_TASK_TYPE, {
      provideTasks: () => [],
      resolveTask: () => {
        void vscode.window.showInformationMessage(DESKTOP_ONLY[COMMANDS.recordProgram]!);
        return undefined;
      },
    }),
  );
  void vscode.commands.executeCommand('setContext', WEB_WORKER_CONTEXT, true);
  return store;
}
