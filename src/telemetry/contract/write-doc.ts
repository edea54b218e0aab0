import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MQTT_API_DOC_PATH, renderMqttApiDoc } from './render-doc.js';

/**
 * Regenerates docs/mqtt-api.md: `npm run build && node dist/src/telemetry/contract/write-doc.js` from the repository
 * root (or pass another path). The doc-in-sync test fails until this has been run after a contract change.
 */
const target = resolve(process.argv[2] ?? MQTT_API_DOC_PATH);
writeFileSync(target, renderMqttApiDoc());
process.stdout.write(`wrote ${target}\n`);
