// The HTML page of both webviews, without `vscode`: webviewHtml.ts fills in the URIs, and the
// webview tests serve the same page under its content security policy (docs/testing.md).

/**
 * The files a page links to, from the extension's root: the bundle, then the stylesheets in order
 * (the charts' library's, the product icons' (@vscode/codicons), both copied by scripts/build.mjs,
 * then the page's own, last so it wins).
 */
export const WEBVIEW_ASSETS = {
  script: ['dist', 'webview.js'],
  styles: [
    ['dist', 'uPlot.min.css'],
    ['dist', 'codicons', 'codicon.css'],
    ['media', 'webview.css'],
  ],
} as const;

/** What a page links to: every URI already a webview URI, `source` the webview's cspSource. */
export interface PageParts {
  readonly source: string;
  readonly nonce: string;
  readonly script: string;
  /** Stylesheets in order (WEBVIEW_ASSETS.styles). */
  readonly styles: readonly string[];
  readonly mode: 'panel' | 'study';
}

/** A strict CSP: styles, fonts and images only from the extension, the one script by nonce, nothing inline. */
export function webviewPage(parts: PageParts): string {
  const { source, nonce } = parts;
  const csp = `default-src 'none'; img-src ${source} data:; style-src ${source}; font-src ${source}; script-src 'nonce-${nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${parts.styles.map((href) => `<link rel="stylesheet" href="${href}">`).join('\n')}
<title>Heap Inspector</title>
</head>
<body data-mode="${parts.mode}">
<main id="app"></main>
<script nonce="${nonce}" src="${parts.script}"></script>
</body>
</html>`;
}
