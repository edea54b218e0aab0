import { describe, expect, it } from 'vitest';
import { isMyoError } from '../../../src/core/errors.js';
import { parseTopic, topicFor } from '../../../src/telemetry/contract/topic-path.js';
import { TOPIC_NAMES } from '../../../src/telemetry/contract/topics.js';
import { DEVICE_ID, paramsOf } from './examples.js';

describe('topicFor / parseTopic', () => {
  it.each(TOPIC_NAMES)('%s round-trips', (name) => {
    const topic = topicFor(DEVICE_ID, name, paramsOf(name));
    expect(parseTopic(DEVICE_ID, topic)).toEqual({ name, params: paramsOf(name) });
  });

  it('builds the topics of ARCHITECTURE section 6', () => {
    expect(topicFor(DEVICE_ID, 'status', {})).toBe('myoscreen/v1/cart-07/status');
    expect(topicFor(DEVICE_ID, 'event', { type: 'model_rolled_back' })).toBe('myoscreen/v1/cart-07/evt/model_rolled_back');
    expect(topicFor(DEVICE_ID, 'commandResponse', { name: 'log_level/set' })).toBe('myoscreen/v1/cart-07/cmd/res/log_level/set');
    expect(topicFor(DEVICE_ID, 'jobStatus', { jobId: 'j1' })).toBe('myoscreen/v1/cart-07/jobs/j1/status');
    expect(topicFor(DEVICE_ID, 'groupDesired', { group: 'ward-3' })).toBe('myoscreen/v1/groups/ward-3/desired');
  });

  it('tells jobs/{jobId} from jobs/{jobId}/status', () => {
    expect(parseTopic(DEVICE_ID, 'myoscreen/v1/cart-07/jobs/j1')).toEqual({ name: 'job', params: { jobId: 'j1' } });
    expect(parseTopic(DEVICE_ID, 'myoscreen/v1/cart-07/jobs/j1/status')).toEqual({ name: 'jobStatus', params: { jobId: 'j1' } });
    expect(parseTopic(DEVICE_ID, 'myoscreen/v1/cart-07/jobs/j1/other')).toBeNull();
  });

  it('parses a well-formed but unknown command name, so the daemon can answer it with a code', () => {
    expect(parseTopic(DEVICE_ID, 'myoscreen/v1/cart-07/cmd/req/format_disk')).toEqual({ name: 'commandRequest', params: { name: 'format_disk' } });
  });

  it.each([
    ['a wildcard +', 'myoscreen/v1/+/status'],
    ['a wildcard #', 'myoscreen/v1/cart-07/#'],
    ['a # inside a level', 'myoscreen/v1/cart-07/cmd/req/a#b'],
    ['dot-dot', 'myoscreen/v1/cart-07/jobs/..'],
    ['dot-dot in a command', 'myoscreen/v1/cart-07/cmd/req/../restart'],
    ['an empty level', 'myoscreen/v1/cart-07//status'],
    ['a trailing slash', 'myoscreen/v1/cart-07/status/'],
    ['a level over 64 characters', `myoscreen/v1/cart-07/jobs/${'j'.repeat(65)}`],
    ['another device', 'myoscreen/v1/cart-08/status'],
    ['another version', 'myoscreen/v2/cart-07/status'],
    ['an unknown path', 'myoscreen/v1/cart-07/secrets'],
    ['an unknown event type', 'myoscreen/v1/cart-07/evt/earthquake'],
    ['a command three levels deep', 'myoscreen/v1/cart-07/cmd/req/a/b/c'],
    ['a control character', 'myoscreen/v1/cart-07/jobs/j\u00001'],
    ['a huge topic', `myoscreen/v1/cart-07/${'a/'.repeat(400)}x`],
  ])('refuses %s', (_what, topic) => {
    expect(parseTopic(DEVICE_ID, topic)).toBeNull();
  });

  it('refuses to build a topic from a bad device id or parameter, with a coded error', () => {
    const attempts = [
      () => topicFor('cart/07', 'status', {}),
      () => topicFor(DEVICE_ID, 'job', { jobId: '+' }),
      () => topicFor(DEVICE_ID, 'job', { jobId: 'a/b' }),
      () => topicFor(DEVICE_ID, 'event', { type: 'earthquake' }),
      () => topicFor(DEVICE_ID, 'commandResponse', { name: '' }),
    ];
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        attempt();
      } catch (error) {
        caught = error;
      }
      expect(isMyoError(caught, 'MYO_ERR_MQTT_TOPIC')).toBe(true);
    }
  });
});
