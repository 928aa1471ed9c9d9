// The one HTML page and content security policy of both webviews (the heap panel and the study
// side view): a strict CSP with a fresh nonce, the bundle and stylesheets through asWebviewUri.

import * as vscode from 'vscode';
import { WEBVIEW_ASSETS, webviewPage } from './webviewPage';

/** One HTML/CSP builder for both webviews: strict CSP with a fresh nonce, assets through asWebviewUri. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, mode: 'panel' | 'study'): string {
  const asset = (path: readonly string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  return webviewPage({ source: webview.cspSource, nonce: randomNonce(), script: asset(WEBVIEW_ASSETS.script), styles: WEBVIEW_ASSETS.styles.map(asset), mode });
}

function randomNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
