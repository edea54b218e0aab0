/**
 * JSON with every object's keys sorted, so two records with the same content give the same text whatever order
 * their properties were written in. Used to tell an idempotent re-save from a conflicting one.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const entries = Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries);
  });
}
