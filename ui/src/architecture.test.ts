// Architecture invariant: src/lib/backend.ts is the only module that talks to
// the shell, so it is the only hand-written one that may import @tauri-apps/*
// or the generated src/lib/ipc.ts (which imports Tauri itself). errors.ts may
// take the error codes from ipc.ts too: they are data, not a way to the shell.
import { expect, test } from 'vitest';

// Vite reads every source file as text at build time of this test: no fs access needed.
const sources = import.meta.glob<string>(['./**/*.ts', './**/*.svelte', './**/*.js'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

// Static imports, re-exports, side-effect imports and dynamic import().
const TAURI_IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]@tauri-apps\/[^'"]*['"]/;

function importsTauri(source: string): boolean {
  return TAURI_IMPORT.test(source);
}

test('the pattern recognises every form of import', () => {
  expect(importsTauri(`import { invoke } from '@tauri-apps/api/core';`)).toBe(true);
  expect(importsTauri(`import {\n  open,\n} from "@tauri-apps/plugin-dialog"`)).toBe(true);
  expect(importsTauri(`export { listen } from '@tauri-apps/api/event';`)).toBe(true);
  expect(importsTauri(`import '@tauri-apps/api';`)).toBe(true);
  expect(importsTauri(`const m = await import('@tauri-apps/api/core');`)).toBe(true);
  expect(importsTauri(`import * as backend from './lib/backend';`)).toBe(false);
  expect(importsTauri(`// uses @tauri-apps/api through backend.ts`)).toBe(false);
});

// Static imports (and re-exports) of the generated bindings.
const IPC_IMPORT = /(?:\bfrom\s*|\bimport\s+)['"](?:\.\/|\.\.\/)*(?:lib\/)?ipc(?:\.ts)?['"]/;

test('the ipc pattern recognises imports of the generated bindings', () => {
  expect(IPC_IMPORT.test(`import { commands } from './ipc';`)).toBe(true);
  expect(IPC_IMPORT.test(`import * as ipc from "./ipc.ts";`)).toBe(true);
  expect(IPC_IMPORT.test(`import { x } from '../lib/ipc';`)).toBe(true);
  expect(IPC_IMPORT.test(`import { x } from './ipc-helpers';`)).toBe(false);
});

test('only backend.ts (and errors.ts, for the codes) import the generated bindings', () => {
  const importers = Object.keys(sources)
    .filter((file) => IPC_IMPORT.test(sources[file]))
    .sort();
  expect(importers).toEqual(['./lib/backend.ts', './lib/errors.ts']);
});

test('only src/lib/backend.ts (and the generated ipc.ts) import @tauri-apps', () => {
  const files = Object.keys(sources);
  // The glob must see the whole tree, or the rule below proves nothing.
  expect(files).toContain('./App.svelte');
  expect(files).toContain('./lib/backend.ts');
  expect(files.length).toBeGreaterThan(10);

  const importers = files.filter((file) => importsTauri(sources[file])).sort();
  expect(importers).toEqual(['./lib/backend.ts', './lib/ipc.ts']);
});
