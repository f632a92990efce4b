// A minimal W3C WebDriver client over fetch, enough to drive the real Driftdeck window through
// tauri-driver + WebKitWebDriver. Written against the protocol directly to keep the test free of
// a large npm dependency tree.

import { spawn } from 'node:child_process';
import net from 'node:net';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes; returns that value. */
export async function waitFor(what, fn, timeoutMs = 30_000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${lastErr.message}` : ''}`);
}

/** Starts tauri-driver on free ports; returns { url, stop(), output() }. */
export async function startTauriDriver({ driverBin, env }) {
  const port = await freePort();
  const nativePort = await freePort();
  // A process group of its own: tauri-driver starts WebKitWebDriver, which starts the app; at
  // the end the whole group is killed, so no app window outlives the test (and no inherited
  // pipe keeps the test runner waiting).
  const child = spawn(driverBin, ['--port', String(port), '--native-port', String(nativePort)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`tauri-driver on ${url}`, async () => {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited: ${log}`);
    const res = await fetch(`${url}/status`);
    return res.ok;
  });
  return {
    url,
    output: () => log,
    async stop() {
      const group = (signal) => {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // the group is already gone
        }
      };
      group('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      group('SIGKILL');
      child.stdout.destroy();
      child.stderr.destroy();
    },
  };
}

async function call(url, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new Error(`${method} ${path} -> ${res.status}: ${JSON.stringify(json.value ?? json)}`);
  }
  return json.value;
}

/** A WebDriver session on the real app binary. */
export class Session {
  static async start(driverUrl, application) {
    const value = await call(driverUrl, 'POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application } } },
    });
    return new Session(driverUrl, value.sessionId);
  }

  constructor(url, id) {
    this.url = url;
    this.id = id;
  }

  cmd(method, path, body) {
    return call(this.url, method, `/session/${this.id}${path}`, body);
  }

  async findAll(css) {
    const els = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return els.map((e) => Object.values(e)[0]);
  }

  click(elementId) {
    return this.cmd('POST', `/element/${elementId}/click`, {});
  }

  /** Types `text` into an element (W3C "element send keys"); `\uE004` is Tab. */
  sendKeys(elementId, text) {
    return this.cmd('POST', `/element/${elementId}/value`, { text });
  }

  /** Runs `script` in the page (W3C execute/sync) and returns its result. */
  execute(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  /**
   * The rendered text (`innerText`) of every element matching `css`, waiting until at least one
   * exists. innerText rather than WebDriver's "get element text": WebKitWebDriver's visibility
   * atom drops text inside `overflow: hidden` boxes (our ellipsised names and paths), which a
   * person sees perfectly well.
   */
  async textsOf(css, timeoutMs) {
    return waitFor(`an element matching ${css}`, async () => {
      const texts = await this.execute(
        'return Array.from(document.querySelectorAll(arguments[0]), (e) => e.innerText);',
        [css],
      );
      return texts.length > 0 ? texts : null;
    }, timeoutMs);
  }

  /** The texts of `css` once one of them matches `pattern` (the UI fills in data asynchronously). */
  async textsMatching(css, pattern, timeoutMs) {
    return waitFor(`${css} to show ${pattern}`, async () => {
      const texts = await this.execute(
        'return Array.from(document.querySelectorAll(arguments[0]), (e) => e.innerText);',
        [css],
      );
      return texts.some((t) => pattern.test(t)) ? texts : null;
    }, timeoutMs);
  }

  async screenshotPng() {
    return Buffer.from(await this.cmd('GET', '/screenshot'), 'base64');
  }

  async end() {
    await this.cmd('DELETE', '').catch(() => {});
  }
}
