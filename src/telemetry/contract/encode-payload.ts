import { MyoError } from '../../core/errors.js';
import { ENVELOPE_KEYS, type Envelope } from './envelope.js';
import { MAX_PAYLOAD_BYTES } from './hostile-json.js';
import { firstSchemaProblem } from './schema-problem.js';
import { TOPICS, type OutboundTopicName, type TopicBody } from './topics.js';

/**
 * The bytes to publish on an outbound topic: the envelope, then the body, checked against the topic's schema as they
 * will travel (after a JSON round trip, so an `undefined` or a `NaN` cannot slip past the check). A bug in a
 * publisher shows up here as MYO_ERR_MQTT_PAYLOAD, never as a malformed message on the broker.
 */
export function encodePayload<N extends OutboundTopicName>(name: N, body: TopicBody<N>, envelope: Envelope): Buffer {
  const clash = ENVELOPE_KEYS.find((key) => Object.hasOwn(body, key));
  if (clash !== undefined) throw payloadError(name, `body sets the envelope field ${clash}`);
  let text: string;
  try {
    text = JSON.stringify({ ...envelope, ...body });
  } catch (error) {
    throw new MyoError('MYO_ERR_MQTT_PAYLOAD', `${name}: body cannot be written as JSON`, { name }, { cause: error });
  }
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.byteLength > MAX_PAYLOAD_BYTES) throw payloadError(name, `payload is ${bytes.byteLength} bytes, over ${MAX_PAYLOAD_BYTES}`);
  const problem = firstSchemaProblem(TOPICS[name].schema, JSON.parse(text) as unknown);
  if (problem !== null) throw payloadError(name, problem);
  return bytes;
}

function payloadError(name: string, problem: string): MyoError {
  return new MyoError('MYO_ERR_MQTT_PAYLOAD', `${name}: ${problem}`, { name, problem });
}
