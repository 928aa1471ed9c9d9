// The heapInspector.* settings as engine options. Only values someone set count (user, workspace
// or folder): unset settings leave the preset's own defaults alone, and a .heap file's `set`
// lines win over all of them.

import * as vscode from 'vscode';
import { COALESCE_MODES, FREE_LISTS, LIST_ORDERS, POLICIES, PRESET_NAMES, type HeapOptions } from '../engine/config';
import { parseByteSize, parseByteSizes, parseOwnLayout, type OwnLayout } from '../trace/index';

export const SECTION = 'heapInspector';

function explicit<T>(config: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const i = config.inspect<T>(key);
  return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
}

/** The settings `heapSettings` reads: a change to any of them replays the traces. */
export const RUN_SETTINGS = ['preset', 'policy', 'coalesce', 'freeList', 'order', 'classes', 'maxHeap', 'allocator', 'allocatorLayout', 'checkheap'] as const;

/**
 * The user's own allocator for traces at `uri` (heapInspector.allocator, a C file; relative to the
 * workspace folder), or null when none is set. Only a trusted workspace runs it (docs/own-allocator.md).
 */
export function allocatorSetting(uri: vscode.Uri | undefined): { file: string | null; problem: string | null; checkheap: boolean; layout: OwnLayout | null } {
  const config = vscode.workspace.getConfiguration(SECTION, uri);
  const checkheap = config.get<boolean>('checkheap', false) === true;
  const { layout, problem: layoutProblem } = layoutSetting(config);
  const value = explicit<string>(config, 'allocator');
  if (typeof value !== 'string' || value.trim() === '') return { file: null, problem: null, checkheap, layout };
  if (!vscode.workspace.isTrusted) return { checkheap, layout, file: null, problem: 'heapInspector.allocator is off in Restricted Mode: compiling and running the workspace\'s C code needs a trusted workspace; traces run on the simulated heap.' };
  const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
  const file = value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value) || !folder ? value : vscode.Uri.joinPath(folder.uri, value).fsPath;
  return { file, problem: layoutProblem, checkheap, layout };
}

/** heapInspector.allocatorLayout: the allocator's block layout as stated (an object of LAYOUT_KEYS), or null (none, or one that is wrong: the problem says why). */
function layoutSetting(config: vscode.WorkspaceConfiguration): { layout: OwnLayout | null; problem: string | null } {
  const value = explicit<unknown>(config, 'allocatorLayout');
  if (value === undefined || value === null) return { layout: null, problem: null };
  if (typeof value !== 'object' || Array.isArray(value)) return { layout: null, problem: 'heapInspector.allocatorLayout must be an object such as { "wordSize": 8, "next": 0, "prev": 8 }; the layout is found instead of stated.' };
  if (Object.keys(value).length === 0) return { layout: null, problem: null };
  const { layout, problems } = parseOwnLayout(value as Record<string, unknown>);
  return { layout, problem: layout === null ? `heapInspector.allocatorLayout: ${problems.join('; ')}; the layout is found instead of stated.` : null };
}

/** The settings that apply to a trace at `uri`, and any that could not be used. */
export function heapSettings(uri: vscode.Uri | undefined): { options: HeapOptions; problems: string[] } {
  const config = vscode.workspace.getConfiguration(SECTION, uri);
  const problems: string[] = [];
  const options: { -readonly [K in keyof HeapOptions]: HeapOptions[K] } = {};
  const pick = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = explicit<string>(config, key);
    if (v === undefined || v === '') return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    problems.push(`heapInspector.${key} must be one of ${allowed.join(', ')} (it is "${v}").`);
    return undefined;
  };
  options.preset = pick('preset', PRESET_NAMES);
  options.policy = pick('policy', POLICIES);
  options.coalesce = pick('coalesce', COALESCE_MODES);
  options.freeList = pick('freeList', FREE_LISTS);
  options.order = pick('order', LIST_ORDERS);
  const classes = explicit<string>(config, 'classes');
  if (typeof classes === 'string' && classes.trim() !== '') {
    const parsed = parseByteSizes(classes);
    if ('bad' in parsed) problems.push(`heapInspector.classes must list class bounds in bytes like 32,64,128 (it is "${classes}").`);
    else options.classes = parsed.sizes;
  }
  const maxHeap = explicit<string | number>(config, 'maxHeap');
  if (maxHeap !== undefined && maxHeap !== '' && maxHeap !== 0) {
    const bytes = typeof maxHeap === 'number' ? maxHeap : parseByteSize(maxHeap);
    if (bytes === null || !Number.isSafeInteger(bytes) || bytes <= 0) problems.push(`heapInspector.maxHeap must be a byte count like 20M or 1048576 (it is "${maxHeap}").`);
    else options.maxHeap = bytes;
  }
  for (const key of Object.keys(options) as (keyof HeapOptions)[]) if (options[key] === undefined) delete options[key];
  return { options, problems };
}

export function codeLensEnabled(uri: vscode.Uri | undefined): boolean {
  return vscode.workspace.getConfiguration(SECTION, uri).get<boolean>('codeLens.enabled', true);
}

/** Traces with more ops than this get lenses only on the summary and problem lines, and inlay hints per op. */
export function codeLensMaxOps(uri: vscode.Uri | undefined): number {
  const n = vscode.workspace.getConfiguration(SECTION, uri).get<number>('codeLens.maxOps', 2000);
  return Number.isFinite(n) && n >= 0 ? n : 2000;
}

/** Where a picker's choice is saved: the workspace when one is open, else the user's settings. */
export function settingsTarget(): vscode.ConfigurationTarget {
  return vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}
