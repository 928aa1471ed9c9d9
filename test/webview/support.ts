// What the webview suites share: the browser, and VS Code's colours in its four themes, as the
// workbench sets them on a webview's body (the theme's class) and as CSS variables.

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';

/** The repository's own Chromium launcher (Debian's chromium, 127.0.0.1 only), loaded at run time. */
export async function launchBrowser(): Promise<BrowserContext> {
  const server = pathToFileURL(join(process.cwd(), 'scripts', 'vscodeServer.mjs')).href;
  const { launchChromium } = (await import(server)) as { launchChromium: () => Promise<BrowserContext> };
  return launchChromium();
}

export const THEMES = {
  'vscode-light': { '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#1f1f1f', '--vscode-foreground': '#1f1f1f', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-purple': '#652d90', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34', '--vscode-charts-red': '#e51400', '--vscode-charts-yellow': '#bf8803', '--vscode-focusBorder': '#005fb8', '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-descriptionForeground': '#717171', '--vscode-errorForeground': '#e51400', '--vscode-icon-foreground': '#3b3b3b', '--vscode-toolbar-hoverBackground': '#b8b8b850', '--vscode-inputOption-activeBackground': '#bed6ed', '--vscode-inputOption-activeBorder': '#005fb8', '--vscode-dropdown-background': '#ffffff', '--vscode-dropdown-foreground': '#3b3b3b', '--vscode-dropdown-border': '#cecece' },
  'vscode-dark': { '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc', '--vscode-foreground': '#cccccc', '--vscode-charts-blue': '#3794ff', '--vscode-charts-purple': '#b180d7', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-red': '#f14c4c', '--vscode-charts-yellow': '#cca700', '--vscode-focusBorder': '#0078d4', '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-errorForeground': '#f85149', '--vscode-icon-foreground': '#cccccc', '--vscode-toolbar-hoverBackground': '#5a5d5e50', '--vscode-inputOption-activeBackground': '#2489db82', '--vscode-inputOption-activeBorder': '#2488db', '--vscode-dropdown-background': '#313131', '--vscode-dropdown-foreground': '#cccccc', '--vscode-dropdown-border': '#3c3c3c' },
  'vscode-high-contrast': { '--vscode-editor-background': '#000000', '--vscode-editor-foreground': '#ffffff', '--vscode-foreground': '#ffffff', '--vscode-charts-blue': '#3794ff', '--vscode-charts-purple': '#b180d7', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-red': '#f14c4c', '--vscode-charts-yellow': '#ffff00', '--vscode-focusBorder': '#f38518', '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-descriptionForeground': '#ffffff', '--vscode-errorForeground': '#f48771', '--vscode-icon-foreground': '#ffffff', '--vscode-toolbar-hoverOutline': '#f38518', '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518', '--vscode-inputOption-activeBorder': '#6fc3df', '--vscode-dropdown-background': '#000000', '--vscode-dropdown-foreground': '#ffffff', '--vscode-dropdown-border': '#6fc3df' },
  'vscode-high-contrast-light': { '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#000000', '--vscode-foreground': '#292929', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-purple': '#652d90', '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34', '--vscode-charts-red': '#e51400', '--vscode-charts-yellow': '#bf8803', '--vscode-focusBorder': '#006bbd', '--vscode-button-background': '#0f4a85', '--vscode-button-foreground': '#ffffff', '--vscode-descriptionForeground': '#292929', '--vscode-errorForeground': '#b5200d', '--vscode-icon-foreground': '#292929', '--vscode-toolbar-hoverOutline': '#006bbd', '--vscode-contrastBorder': '#0f4a85', '--vscode-contrastActiveBorder': '#006bbd', '--vscode-inputOption-activeBorder': '#0f4a85', '--vscode-dropdown-background': '#ffffff', '--vscode-dropdown-foreground': '#292929', '--vscode-dropdown-border': '#0f4a85' },
} as const;

export function themeCss(): string {
  return Object.entries(THEMES)
    .map(([cls, vars]) => `body.${cls} { ${Object.entries(vars).map(([k, v]) => `${k}: ${v};`).join(' ')} }`)
    .join('\n');
}
