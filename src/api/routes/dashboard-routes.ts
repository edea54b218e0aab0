import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { MyoError } from '../../core/errors.js';
import type { ApiApp, RouteContext } from '../api-types.js';
import { ErrorSchema } from '../schemas.js';

/** The page loads only its own files and talks only to this origin: no CDN, works with no internet. */
const CSP = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/** The technician dashboard (static files from web/dashboard) and the OpenAPI document. */
export function registerDashboardRoutes(app: ApiApp, ctx: RouteContext): void {
  const FileParams = Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }) });
  const html = { content: { 'text/html': { schema: Type.String() } } };

  app.get('/', { schema: { summary: 'Redirects to the dashboard', tags: ['dashboard'], response: { 302: Type.Null() } } }, async (_request, reply) =>
    reply.redirect('/dashboard/', 302),
  );

  const serve = (name: string, reply: FastifyReply): FastifyReply => {
    const file = ctx.dashboard.get(name);
    if (!file) throw new MyoError('MYO_ERR_NOT_FOUND', ctx.dashboard.size === 0 ? 'the dashboard files are not installed' : `no dashboard file ${name}`);
    void reply.header('content-type', file.type).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff');
    if (file.type.startsWith('text/html')) void reply.header('content-security-policy', CSP);
    return reply.send(file.body);
  };

  app.get('/dashboard/', { schema: { summary: 'The technician dashboard', tags: ['dashboard'], response: { 200: html, 404: ErrorSchema } } }, async (_request, reply) =>
    serve('index.html', reply),
  );

  app.get<{ Params: { file: string } }>(
    '/dashboard/:file',
    { schema: { summary: 'A dashboard file', tags: ['dashboard'], params: FileParams, response: { 200: { content: { '*/*': { schema: Type.String() } } }, 400: ErrorSchema, 404: ErrorSchema } } },
    async (request, reply) => serve(request.params.file, reply),
  );

  app.get(
    '/api/v1/openapi.json',
    { schema: { summary: 'This document', tags: ['meta'], response: { 200: Type.Object({}, { additionalProperties: true }), 401: ErrorSchema } } },
    async () => ctx.openapi.document({ version: ctx.view.version, publicRoutes: ctx.auth.publicRoutes, open: ctx.auth.open }),
  );
}
