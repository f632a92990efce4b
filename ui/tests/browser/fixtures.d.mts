// Types of fixtures.mjs for the TypeScript unit tests that import it.

import type { FairnessRequest } from '../../src/lib/backend';

/** The mocked shell's answers of the browser tests (objects as the harness passes them on). */
export const T0: number;
export const INFO: Record<string, unknown>;
export function mlflowModel(fields?: Record<string, unknown>): Record<string, unknown>;
export function onnxModel(fields?: Record<string, unknown>): Record<string, unknown>;

export function fairnessRequest(path: string, fields?: Partial<FairnessRequest>): FairnessRequest;
