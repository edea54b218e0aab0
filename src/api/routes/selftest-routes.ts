import { Type, type Static } from '@sinclair/typebox';
import { MyoError } from '../../core/errors.js';
import type { SelfTestReport } from '../../selftest/check.js';
import type { ApiApp, RouteContext } from '../api-types.js';
import { ErrorSchema, SelfTestReportSchema } from '../schemas.js';

const SelfTestQuerySchema = Type.Object(
  { checks: Type.Optional(Type.String({ pattern: '^[a-z]+(,[a-z]+)*$', maxLength: 200, description: 'Comma-separated check names; all when absent.' })) },
  { additionalProperties: false },
);

/** The daemon's self-test: one at a time, answered with the report when it is done (a few seconds). */
export function registerSelfTestRoutes(app: ApiApp, { view }: RouteContext): void {
  let last: SelfTestReport | null = null;

  app.post<{ Querystring: Static<typeof SelfTestQuerySchema> }>(
    '/api/v1/selftest',
    {
      schema: {
        summary: 'Runs the self-test (capture, display and broker as live, model through a fresh engine, disk, clock)',
        description: 'A second request while one runs, or one during an exam, gets 409 MYO_ERR_SELFTEST_RUNNING. A failed check is still a 200 with ok=false.',
        tags: ['selftest'],
        querystring: SelfTestQuerySchema,
        response: { 200: SelfTestReportSchema, 400: ErrorSchema, 401: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request) => {
      const names = request.query.checks?.split(',');
      last = await view.selftest.run(names);
      return last;
    },
  );

  app.get(
    '/api/v1/selftest',
    { schema: { summary: 'The last self-test report run through this API', tags: ['selftest'], response: { 200: SelfTestReportSchema, 401: ErrorSchema, 404: ErrorSchema } } },
    async () => {
      if (!last) throw new MyoError('MYO_ERR_NOT_FOUND', view.selftest.running ? 'the first self-test is still running' : 'no self-test has run since start');
      return last;
    },
  );
}
