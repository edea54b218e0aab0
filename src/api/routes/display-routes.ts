import type { Static } from '@sinclair/typebox';
import { MyoError } from '../../core/errors.js';
import type { ApiApp, RouteContext } from '../api-types.js';
import { framePng } from '../frame-image.js';
import { DisplaySchema, ErrorSchema, FrameQuerySchema, PngSchema } from '../schemas.js';

const png = { content: { 'image/png': { schema: PngSchema } } };

/** What the cart display shows, and the frame the model saw with its attention map. */
export function registerImageRoutes(app: ApiApp, { view }: RouteContext): void {
  app.get(
    '/api/v1/display',
    { schema: { summary: 'The cart display: kind, link, page and text (emulated or mirrored)', tags: ['display'], response: { 200: DisplaySchema, 401: ErrorSchema } } },
    async () => {
      const display = view.display;
      const stats = display.stats();
      const screen = display.screen();
      return {
        kind: display.kind,
        connected: stats.connected,
        page: screen?.page ?? null,
        text: screen?.text ?? null,
        imageUrl: display.kind === 'emulated' ? '/api/v1/display.png' : null,
        stats: { statesShown: stats.statesShown, writes: stats.writes, reconnects: stats.reconnects, ackTimeouts: stats.ackTimeouts, touches: stats.touches },
      };
    },
  );

  app.get(
    '/api/v1/display.png',
    { schema: { summary: 'The display screen as a 480x272 PNG (emulated display only)', tags: ['display'], response: { 200: png, 401: ErrorSchema, 404: ErrorSchema } } },
    async (_request, reply) => {
      const image = view.display.png();
      if (!image) throw new MyoError('MYO_ERR_NOT_FOUND', 'a serial display has no screen image; only the emulated display renders one');
      return reply.header('content-type', 'image/png').header('cache-control', 'no-store').send(image);
    },
  );

  app.get<{ Querystring: Static<typeof FrameQuerySchema> }>(
    '/api/v1/frame.png',
    {
      schema: {
        summary: 'The latest inferred frame (ROI at the model input size); overlay=attention tints it with the attention map',
        tags: ['display'],
        querystring: FrameQuerySchema,
        response: { 200: png, 400: ErrorSchema, 401: ErrorSchema, 404: ErrorSchema },
      },
    },
    async (request, reply) => {
      const snapshot = view.frames.latestSnapshot();
      if (!snapshot) throw new MyoError('MYO_ERR_NOT_FOUND', 'no frame has been inferred yet');
      return reply
        .header('content-type', 'image/png')
        .header('cache-control', 'no-store')
        .header('x-frame-seq', String(snapshot.seq))
        .header('x-frame-score', snapshot.score.toFixed(4))
        .send(framePng(snapshot, request.query.overlay ?? 'none'));
    },
  );
}
