import type { Static } from '@sinclair/typebox';
import { MyoError } from '../../core/errors.js';
import type { ApiApp, RouteContext } from '../api-types.js';
import { ErrorSchema, ExamListQuerySchema, ExamPageSchema, ExamParamsSchema, ExamRecordSchema } from '../schemas.js';

/** Stored exam records, newest first, keyset-paged (the store's opaque cursor). */
export function registerExamRoutes(app: ApiApp, { view }: RouteContext): void {
  app.get<{ Querystring: Static<typeof ExamListQuerySchema> }>(
    '/api/v1/exams',
    {
      schema: {
        summary: 'Exam records, newest first; follow `next` with ?cursor= for the next page',
        tags: ['exams'],
        querystring: ExamListQuerySchema,
        response: { 200: ExamPageSchema, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request) => {
      const { limit, cursor, decision } = request.query;
      return view.exams.list({ limit: limit ?? 20, cursor: cursor ?? null, decision });
    },
  );

  app.get<{ Params: Static<typeof ExamParamsSchema> }>(
    '/api/v1/exams/:id',
    {
      schema: {
        summary: 'One exam record',
        tags: ['exams'],
        params: ExamParamsSchema,
        response: { 200: ExamRecordSchema, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request) => {
      const record = view.exams.get(request.params.id);
      if (!record) throw new MyoError('MYO_ERR_NOT_FOUND', `no exam ${request.params.id}`);
      return record;
    },
  );
}
