/** The MQTT contract (ARCHITECTURE section 6): topics, payload schemas, and safe encoding and decoding. */
export { CONTRACT_VERSION, EnvelopeSchema, enveloped, type Envelope } from './envelope.js';
export {
  TOPICS,
  TOPIC_NAMES,
  TOPIC_ROOT,
  OUTBOX_CLASSES,
  HEALTH_EXPIRY_S,
  isTopicName,
  type TopicSpec,
  type TopicName,
  type OutboundTopicName,
  type InboundTopicName,
  type TopicParams,
  type TopicPayload,
  type TopicBody,
  type OutboxClass,
} from './topics.js';
export {
  COMMANDS,
  COMMAND_NAMES,
  CommandRequestSchema,
  CommandResponseSchema,
  isCommandName,
  isRequestExpired,
  type CommandName,
  type CommandArgs,
  type CommandRequest,
} from './commands.js';
export { EVENT_TYPES, HEALTH_PARTS, examSummaryFromRecord, type EventType, type ExamSummaryBody } from './device-payloads.js';
export { JOB_STATES } from './job-payloads.js';
export { topicFor, parseTopic, type ParsedTopic } from './topic-path.js';
export { encodePayload } from './encode-payload.js';
export { decodeCommand, type CommandDecodeResult, type CommandDecodeFailure, type DecodedCommand } from './decode-command.js';
export { MAX_PAYLOAD_BYTES, MAX_JSON_DEPTH } from './hostile-json.js';
export { renderMqttApiDoc, MQTT_API_DOC_PATH } from './render-doc.js';
