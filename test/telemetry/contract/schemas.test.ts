import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { ExamRecord } from '../../../src/records/exam-record.js';
import { COMMANDS, COMMAND_NAMES, CommandResponseSchema } from '../../../src/telemetry/contract/commands.js';
import { ExamSummaryPayloadSchema, examSummaryFromRecord } from '../../../src/telemetry/contract/device-payloads.js';
import { TOPICS, TOPIC_NAMES } from '../../../src/telemetry/contract/topics.js';
import { COMMAND_EXAMPLES, ENVELOPE, TOPIC_EXAMPLES } from './examples.js';

describe('MQTT payload schemas', () => {
  it.each(TOPIC_NAMES)('%s accepts a realistic payload and refuses a broken one', (name) => {
    const example = TOPIC_EXAMPLES[name];
    const schema = TOPICS[name].schema;
    expect([...Value.Errors(schema, example.payload)]).toEqual([]);
    expect(Value.Check(schema, example.breakIt(example.payload))).toBe(false);
  });

  it.each(TOPIC_NAMES.filter((name) => TOPICS[name].direction === 'out'))('outbound %s refuses a payload without the envelope', (name) => {
    const withoutSession: Record<string, unknown> = { ...TOPIC_EXAMPLES[name].payload };
    delete withoutSession['session'];
    expect(Value.Check(TOPICS[name].schema, withoutSession)).toBe(false);
  });

  it.each(COMMAND_NAMES)('command %s accepts its example args and refuses broken ones', (name) => {
    expect([...Value.Errors(COMMANDS[name].args, COMMAND_EXAMPLES[name].args)]).toEqual([]);
    expect(Value.Check(COMMANDS[name].args, COMMAND_EXAMPLES[name].broken)).toBe(false);
  });

  it('a failed command response needs a coded error', () => {
    const failed = { ...ENVELOPE, id: 'req-1', ok: false, error: { code: 'MYO_ERR_MQTT_COMMAND_UNKNOWN', message: 'unknown command' } };
    expect(Value.Check(CommandResponseSchema, failed)).toBe(true);
    expect(Value.Check(CommandResponseSchema, { ...failed, error: { code: 'oops', message: 'x' } })).toBe(false);
    expect(Value.Check(CommandResponseSchema, { ...ENVELOPE, id: 'req-1', ok: false })).toBe(false);
  });

  it('the exam summary is an allow-list of the record: detail and daemon version stay on the cart', () => {
    const record: ExamRecord = {
      id: 'ex_01ARZ3NDEKTSV4RRFFQ69G5FAV',
      startedAt: '2025-03-14T09:10:00.000Z',
      endedAt: '2025-03-14T09:14:30.250Z',
      durationMs: 270_250,
      startedBy: 'auto',
      endedBy: 'signal_lost',
      frames: { seen: 10, inferred: 8, usable: 2, rejected: { signal_not_live: 2, roi_unsettled: 0, no_tissue: 4, saturated: 0, not_ultrasound: 0, out_of_distribution: 0 } },
      score: null,
      decision: 'inconclusive',
      reason: 'too_few_usable_frames',
      detail: 'only 2 usable frames',
      threshold: 0.42,
      model: { id: 'myonet', version: '1.2.0', sha256: 'c'.repeat(64) },
      provider: 'cpu',
      daemonVersion: '0.1.0',
    };
    const summary = examSummaryFromRecord(record);
    expect(summary).not.toHaveProperty('detail');
    expect(summary).not.toHaveProperty('daemonVersion');
    expect(summary.frames).toEqual({ seen: 10, inferred: 8, usable: 2 });
    expect(summary.examId).toBe(record.id);
    expect([...Value.Errors(ExamSummaryPayloadSchema, { ...ENVELOPE, ...summary })]).toEqual([]);
  });
});
