/** Pure helpers for the Models view: registry maps read defensively, and where a model is registered. */
import type { Model, RegisteredModel } from './backend';

/** The string entries of a JSON object (aliases, tags), sorted by key; anything else is empty. */
export function stringEntries(value: unknown): [string, string][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>)
    .filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number')
    .map(([k, v]): [string, string] => [k, String(v)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The aliases pointing at each version: version -> alias names. */
export function aliasesByVersion(model: Pick<RegisteredModel, 'aliases'>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [alias, version] of stringEntries(model.aliases)) {
    const list = out.get(version) ?? [];
    list.push(alias);
    out.set(version, list);
  }
  return out;
}

export type Registration = { name: string; version: string; status: string | null; aliases: string[] };

/**
 * The registered versions that are this model: same project, and the
 * version names the model's id, or a run that produced it.
 */
export function registrationsOf(model: Model, registered: readonly RegisteredModel[]): Registration[] {
  const runIds = new Set(model.runs.map((r) => r.run_id));
  const out: Registration[] = [];
  for (const rm of registered) {
    if (rm.project !== model.project) continue;
    const aliases = aliasesByVersion(rm);
    for (const v of rm.versions) {
      const byModel = model.model_id !== null && v.model_id === model.model_id;
      const byRun = v.run_id !== null && runIds.has(v.run_id);
      if (byModel || byRun) {
        out.push({ name: rm.name, version: v.version, status: v.status, aliases: aliases.get(v.version) ?? [] });
      }
    }
  }
  return out;
}

/** Versions newest first: numerically when they are numbers (MLflow's are). */
export function sortVersions<T extends { version: string }>(versions: readonly T[]): T[] {
  const collator = new Intl.Collator('en', { numeric: true });
  return [...versions].sort((a, b) => collator.compare(b.version, a.version));
}
