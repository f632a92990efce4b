/**
 * Errors as the UI sees them: `{ code, message }`.
 *
 * The shell rejects every failed command with such an object. The UI decides
 * what to do from `code` alone; `message` is for people and may change
 * wording at any time, so nothing here (or anywhere in the UI) inspects it.
 */

import { ERROR_CODES, type ErrorCode } from './ipc';

/** An error from the backend, or from talking to it. */
export type AppError = { code: string; message: string };

/**
 * The codes the shell sends: the engine's closed set (`driftdeck::error::ErrorCode`, generated
 * into ipc.ts). Unknown codes are still shown, as generic errors.
 * `remote`: a model registry could not be reached, refused the credentials, or answered an error.
 */
export const KNOWN_CODES = ERROR_CODES;
export type KnownCode = ErrorCode;

export function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === 'string' &&
    typeof (value as Record<string, unknown>).message === 'string'
  );
}

/**
 * Turns whatever a rejected call produced into an `AppError`.
 *
 * The shell's own errors pass through unchanged (keeping only code and
 * message). Anything else (a string from Tauri's IPC layer such as a missing
 * permission, a JS exception when there is no Tauri runtime) is `internal`.
 */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) {
    return { code: err.code, message: err.message };
  }
  return { code: 'internal', message: String(err) };
}

/** The banner's headline for an error, chosen by code. */
export function errorTitle(code: string): string {
  switch (code) {
    case 'bad_input':
      return 'Invalid input';
    case 'bad_filter':
      return 'Invalid filter';
    case 'not_found':
      return 'Not found';
    case 'catalog':
      return 'The catalog could not be read or written';
    case 'remote':
      return 'The model registry failed';
    default:
      return 'Something went wrong';
  }
}

/** Where and when an error was shown, for the report people paste into an issue or a chat. */
export type ErrorCircumstances = {
  /** The place on screen (e.g. "Compare"); null when not known. */
  place: string | null;
  /** The app's version; null before it is known. */
  version: string | null;
  /** Unix ms when the error was shown. */
  at: number;
};

/**
 * The banner's "Copy details" text: plain lines, one fact each, in the order
 * title, message, code, view, version, time. A message over several lines
 * (a bad filter's caret line) keeps them, indented under "Message:".
 */
export function errorReport(error: AppError, where: ErrorCircumstances): string {
  const message = error.message.split(/\r?\n/);
  const lines = [
    `Driftdeck error: ${errorTitle(error.code)}`,
    ...(message.length === 1 ? [`Message: ${message[0]}`] : ['Message:', ...message.map((line) => `  ${line}`)]),
    `Code: ${error.code}`,
    `View: ${where.place ?? 'unknown'}`,
    `Version: Driftdeck ${where.version ?? '(version unknown)'}`,
    `Time: ${Number.isFinite(where.at) ? new Date(where.at).toISOString() : 'unknown'}`,
  ];
  return lines.join('\n') + '\n';
}
