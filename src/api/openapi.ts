import type { RouteOptions } from 'fastify';

interface CollectedRoute {
  readonly method: string;
  readonly url: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

/** `/api/v1/exams/:id` -> `/api/v1/exams/{id}`. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** The schema's own fields, without TypeBox's symbol keys and without fastify-only ones. */
function plain(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema ?? {})) as Record<string, unknown>;
}

function parametersOf(schema: unknown, where: 'query' | 'path'): Record<string, unknown>[] {
  const object = plain(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

function responsesOf(response: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, entry] of Object.entries((response ?? {}) as Record<string, unknown>)) {
    const e = plain(entry) as { content?: Record<string, { schema: unknown }>; description?: string };
    if (e.content) {
      out[status] = { description: e.description ?? `status ${status}`, content: Object.fromEntries(Object.entries(e.content).map(([type, c]) => [type, { schema: c.schema }])) };
    } else {
      out[status] = { description: typeof e.description === 'string' ? e.description : `status ${status}`, content: { 'application/json': { schema: e } } };
    }
  }
  return out;
}

/**
 * Builds the OpenAPI 3.1 document from the routes as fastify registered them (their TypeBox schemas are JSON
 * Schema already), so the document cannot drift from what is validated. Collect with `collect` from an onRoute hook.
 */
export class OpenApiCollector {
  readonly #routes: CollectedRoute[] = [];

  collect(route: RouteOptions): void {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || (route.schema as { hide?: unknown } | undefined)?.hide === true) continue;
      this.#routes.push({ method: method.toLowerCase(), url: route.url, schema: (route.schema ?? {}) as Record<string, unknown> });
    }
  }

  document(info: { version: string; publicRoutes: ReadonlySet<string>; open: boolean }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.#routes) {
      const s = route.schema;
      const operation: Record<string, unknown> = {
        summary: typeof s.summary === 'string' ? s.summary : '',
        ...(typeof s.description === 'string' ? { description: s.description } : {}),
        tags: Array.isArray(s.tags) ? s.tags : [],
        parameters: [...parametersOf(s.params, 'path'), ...parametersOf(s.querystring, 'query')],
        responses: responsesOf(s.response),
        ...(info.open || info.publicRoutes.has(route.url) ? { security: [] } : {}),
      };
      if (s.body) operation.requestBody = { content: { 'application/json': { schema: plain(s.body) } } };
      (paths[openApiPath(route.url)] ??= {})[route.method] = operation;
    }
    return {
      openapi: '3.1.0',
      info: { title: 'myoscreen technician API', version: info.version, description: 'Local health, status, exams, model, self-test, display and live events of one myoscreen appliance.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: info.open ? [] : [{ bearer: [] }],
      paths,
    };
  }
}
