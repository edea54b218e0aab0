import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** The first way `value` fails `schema`, as `path: message` (bounded, since paths can carry hostile key names). */
export function firstSchemaProblem(schema: TSchema, value: unknown): string | null {
  const first = Value.Errors(schema, value).First();
  if (first === undefined) return null;
  const path = first.path === '' ? '(root)' : first.path.slice(1).replace(/\//g, '.');
  const text = `${path}: ${first.message}`;
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}
