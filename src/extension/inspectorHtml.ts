// The inspector panel's page. The webview runs text from the user's program, so its policy
// allows nothing but the extension's own script (by nonce) and stylesheet: no inline script,
// no eval, no network. Built without the vscode API so tests load the very page served.
export interface InspectorPageParts {
  /** the webview's cspSource: where its own resources are served from */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** fresh per page: the one script allowed to run carries it */
  nonce: string;
}

export function inspectorCsp(p: Pick<InspectorPageParts, 'cspSource' | 'nonce'>): string {
  return [`default-src 'none'`, `script-src 'nonce-${p.nonce}'`, `style-src ${p.cspSource}`, `img-src ${p.cspSource} data:`, `font-src ${p.cspSource}`].join('; ');
}

export function inspectorHtml(p: InspectorPageParts): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${inspectorCsp(p)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${p.styleUri}">
<title>Pool Inspector</title>
</head>
<body>
<div id="app"></div>
<script nonce="${p.nonce}" src="${p.scriptUri}"></script>
</body>
</html>`;
}
