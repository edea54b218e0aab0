import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../../../src/telemetry/contract/commands.js';
import { MQTT_API_DOC_PATH, renderMqttApiDoc } from '../../../src/telemetry/contract/render-doc.js';
import { TOPICS, TOPIC_NAMES } from '../../../src/telemetry/contract/topics.js';

describe('docs/mqtt-api.md', () => {
  it('equals the text generated from TOPICS (regenerate: npm run build && node dist/src/telemetry/contract/write-doc.js)', () => {
    const committed = readFileSync(new URL(`../../../${MQTT_API_DOC_PATH}`, import.meta.url), 'utf8');
    expect(committed).toBe(renderMqttApiDoc());
  });

  it('names every topic pattern and every command, and embeds each payload schema', () => {
    const doc = renderMqttApiDoc();
    for (const name of TOPIC_NAMES) {
      expect(doc).toContain(`${TOPICS[name].pattern}\` |`);
      expect(doc).toContain(JSON.stringify(TOPICS[name].schema, null, 2));
    }
    for (const name of COMMAND_NAMES) expect(doc).toContain(`\`cmd/req/${name}\``);
  });
});
