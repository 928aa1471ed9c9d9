// The one HTML page and content security policy of both webviews (the heap panel and the study
// side view): a strict CSP with a fresh nonce, the bundle and stylesheet through asWebviewUri.

import * as vscode from 'vscode';

/** One HTML/CSP builder for both webviews: strict CSP with a fresh nonce, assets through asWebviewUri. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, mode: 'panel' | 'study'): string {
  const nonce = randomNonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview.css'));
  // The charts' library's own stylesheet (scripts/build.mjs copies it), before ours so ours wins.
  const chartStyle = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'uPlot.min.css'));
  const csp = `default-src 'none'; img-src ${webview.cspSource} data:; style-src ${webview.cspSource}; font-src ${webview.cspSource}; script-src 'nonce-${nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${chartStyle.toString()}">
<link rel="stylesheet" href="${style.toString()}">
<title>Heap Inspector</title>
</head>
<body data-mode="${mode}">
<main id="app"></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

function randomNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
