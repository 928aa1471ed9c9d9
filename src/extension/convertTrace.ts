// Convert Trace: a trace in the other format in a new untitled editor, never overwriting. A `.rep`
// trace becomes a `.heap` script; a script or an allocation log a `.rep` trace. A log opens as a
// trace (its language) or as any text whose content is one (docs/importing.md); what the import
// left out is said in the output.

import * as vscode from 'vscode';
import { describeImport, detectFormat, FORMAT_TITLES, importOfTrace, isLogFormat, parseTrace, printHeapScript, printRep, type Trace, type TraceFormat } from '../trace/index';
import { LANGUAGES } from './commandIds';

export interface Converted {
  readonly language: string;
  readonly uri: string;
  /** What the output cannot hold, one line each (a script's calloc, writes, free(NULL)). */
  readonly dropped: readonly string[];
  /** For a log: what the import said (its counts and what it left out). */
  readonly summary?: string;
}

/** A document that is no trace's language but whose content is an allocation log: its format, else undefined. */
export function logFormatOf(document: vscode.TextDocument): TraceFormat | undefined {
  const format = detectFormat(document.uri.path, document.getText(new vscode.Range(0, 0, 200, 0)));
  return isLogFormat(format) ? format : undefined;
}

/** Converts a log open as plain text (no session reads it): read here, at once. */
export function convertLogDocument(output: vscode.LogOutputChannel, document: vscode.TextDocument, format: TraceFormat): Promise<Converted> {
  return showConverted(output, nameOf(document), parseTrace(document.getText(), format));
}

/** Opens `trace` in the other format in a new untitled editor and says what was left out. */
export async function showConverted(output: vscode.LogOutputChannel, name: string, trace: Trace): Promise<Converted> {
  const toHeap = trace.format === 'rep';
  const { text, dropped } = toHeap ? { text: printHeapScript(trace), dropped: [] as string[] } : printRep(trace);
  const language = toHeap ? LANGUAGES.heap : LANGUAGES.rep;
  const document = await vscode.workspace.openTextDocument({ language, content: text });
  await vscode.window.showTextDocument(document, { preview: false });
  const imported = importOfTrace(trace);
  if (imported) {
    const summary = describeImport(name, 'the new .rep trace', imported);
    output.info(`Convert Trace: ${summary.trimEnd()}`);
    const { notUnderstood, unknownAddresses, failed, freeNulls, unfinished, hiddenBlocks } = imported.counts;
    const left = unknownAddresses + failed + freeNulls + unfinished + hiddenBlocks;
    const said = `Converted the ${FORMAT_TITLES[trace.format]} to .rep: ${trace.ops.length.toLocaleString('en-US')} ops` + (notUnderstood > 0 ? `; ${notUnderstood.toLocaleString('en-US')} lines not understood` : '') + (left > 0 ? `; ${left.toLocaleString('en-US')} calls left out` : '') + (notUnderstood + left > 0 ? ' (see the output).' : '.');
    void (notUnderstood > 0 ? vscode.window.showWarningMessage(said, 'Show Output') : vscode.window.showInformationMessage(said, 'Show Output')).then((c) => {
      if (c) output.show(true);
    });
    return { language, uri: document.uri.toString(), dropped, summary };
  }
  if (dropped.length > 0) {
    output.info(`Convert Trace: what a .rep trace cannot hold was left out:\n  ${dropped.join('\n  ')}`);
    void vscode.window.showInformationMessage(`Converted to .rep; ${dropped.length} item${dropped.length === 1 ? '' : 's'} could not be expressed (see the output).`, 'Show Output').then((c) => {
      if (c) output.show(true);
    });
  }
  return { language, uri: document.uri.toString(), dropped };
}

function nameOf(document: vscode.TextDocument): string {
  return document.uri.path.split('/').pop() || document.uri.toString();
}
