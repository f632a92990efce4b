/**
 * The one door between the UI and the desktop shell.
 *
 * Architecture invariant: this is the only module that imports
 * `@tauri-apps/*` (a unit test enforces it). Components call the typed
 * functions below and never see `invoke`, command names or Tauri event names,
 * so the shell's IPC surface is listed in exactly one place, and tests can
 * replace the whole backend by mocking Tauri's IPC.
 *
 * Every function rejects with an `AppError` and nothing else.
 */
import { invoke } from '@tauri-apps/api/core';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open } from '@tauri-apps/plugin-dialog';
import { toAppError, type AppError } from './errors';

export type { AppError };

/** A project folder in the catalog. `exists` is false when the folder is gone from disk. */
export type Project = {
  id: number;
  path: string;
  name: string;
  added_at: string;
  exists: boolean;
};

export type AppInfo = {
  version: string;
  catalog_path: string;
  schema_version: number;
};

/** `invoke` with its rejection normalised to an `AppError`. */
async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (err) {
    throw toAppError(err);
  }
}

export function listProjects(): Promise<Project[]> {
  return call<Project[]>('list_projects');
}

export function addProject(path: string): Promise<Project> {
  return call<Project>('add_project', { path });
}

export function removeProject(id: number): Promise<void> {
  return call<void>('remove_project', { id });
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}

/** Opens the native folder picker; `null` when the user cancels. */
export async function pickFolder(): Promise<string | null> {
  try {
    const picked = await open({ directory: true, multiple: false });
    // Typed as string | string[] | null; with `multiple: false` it is never an array.
    return Array.isArray(picked) ? (picked[0] ?? null) : picked;
  } catch (err) {
    throw toAppError(err);
  }
}

export type FolderDropHandlers = {
  /** Something is being dragged over the window. */
  onOver?: () => void;
  /** The drag left the window or was cancelled. */
  onLeave?: () => void;
  /** Paths were dropped on the window (files or folders; the shell decides what it accepts). */
  onDrop: (paths: string[]) => void;
};

/**
 * Subscribes to OS drag-and-drop on this window. Resolves to a function that
 * unsubscribes. The webview, not the DOM, receives native drops: with Tauri's
 * drag-drop handling on, DOM `drop` events carry no file paths.
 */
export async function onFolderDrop(handlers: FolderDropHandlers): Promise<() => void> {
  try {
    const unlisten = await getCurrentWebview().onDragDropEvent((event) => {
      const payload = event.payload;
      switch (payload.type) {
        case 'enter':
        case 'over':
          handlers.onOver?.();
          break;
        case 'leave':
          handlers.onLeave?.();
          break;
        case 'drop':
          handlers.onDrop(payload.paths);
          break;
      }
    });
    return () => void unlisten();
  } catch (err) {
    throw toAppError(err);
  }
}
