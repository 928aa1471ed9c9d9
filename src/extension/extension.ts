// Heap Inspector's desktop entry (package.json "main"): everything activate.ts sets up, and what
// needs a process, from src/native/: running and scoring the user's own allocator (docs/own-allocator.md)
// and recording a program (docs/recording.md). The browser entry is extensionWeb.ts.

import * as vscode from 'vscode';
import { activateCommon, type HeapInspectorApi } from './activate';
import { COMMANDS } from './commandIds';
import { OwnAllocatorJob } from '../native/ownJob';
import { AllocatorProblems } from './ownAllocator';
import { registerRecordCommand } from './recordProgram';
import { scoreMyAllocator, type NativePaths } from './scoreCommand';
import type { NativeOptions } from './traceSessions';

export type { HeapInspectorApi } from './activate';

export function activate(context: vscode.ExtensionContext): HeapInspectorApi {
  const allocatorProblems = new AllocatorProblems();
  context.subscriptions.push(allocatorProblems);
  const paths: NativePaths = {
    harnessDir: vscode.Uri.joinPath(context.extensionUri, 'harness').fsPath,
    cacheDir: vscode.Uri.joinPath(context.globalStorageUri, 'allocators').fsPath,
    listener: allocatorProblems,
  };
  const native: NativeOptions = {
    ownJob: (text, format, file, options) => new OwnAllocatorJob(text, format, file, { harnessDir: paths.harnessDir, cacheDir: paths.cacheDir, ...options }, allocatorProblems),
  };
  const api = activateCommon(context, native);
  const scoreOutput = vscode.window.createOutputChannel('Heap Inspector: Score');
  context.subscriptions.push(
    scoreOutput,
    vscode.commands.registerCommand(COMMANDS.scoreMyAllocator, (traces?: vscode.Uri | readonly vscode.Uri[], allocator?: vscode.Uri | string) => scoreMyAllocator({ scoreOutput, native: paths }, traces, allocator)),
    registerRecordCommand(context.extensionUri, context.globalStorageUri),
  );
  return api;
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
