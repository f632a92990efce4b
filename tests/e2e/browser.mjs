// The "system browser" for end-to-end tests: a desktop entry registered, the freedesktop way, as
// the default handler of http and https links (mimeapps.list), whose program only notes the URL
// it was given. xdg-open, which the app calls, finds it as it would find Firefox; there is no
// real browser to look at under Xvfb, so this is the one stand-in.

import fs from 'node:fs';
import path from 'node:path';

/**
 * Registers the stand-in under `dataHome`/`configHome` (use them as XDG_DATA_HOME and
 * XDG_CONFIG_HOME for the app); returns the file the opened URLs are appended to.
 */
export function installBrowser({ dataHome, configHome, dir }) {
  const log = path.join(dir, 'browser.log');
  const program = path.join(dir, 'browser.sh');
  fs.writeFileSync(program, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\n`, { mode: 0o755 });
  fs.mkdirSync(path.join(dataHome, 'applications'), { recursive: true });
  fs.writeFileSync(
    path.join(dataHome, 'applications', 'e2e-browser.desktop'),
    `[Desktop Entry]\nType=Application\nName=E2E browser\nExec=${program} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\n`,
  );
  fs.mkdirSync(configHome, { recursive: true });
  fs.writeFileSync(
    path.join(configHome, 'mimeapps.list'),
    '[Default Applications]\nx-scheme-handler/http=e2e-browser.desktop\nx-scheme-handler/https=e2e-browser.desktop\n',
  );
  return log;
}

/** The URLs opened so far. */
export function openedUrls(log) {
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}
