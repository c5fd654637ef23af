// How every test and benchmark starts Debian's Chromium: headless, and quiet on the network.
// Plain JavaScript so the VS Code runner (node, no TypeScript) and the TypeScript tests share it.
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
