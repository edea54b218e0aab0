import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A training export with the shape training/myotrain/export.py writes, but a few bytes in place of the ONNX graph:
 * enough for packing and verification, which never parse the graph.
 */
export function writeFakeExport(overrides: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'myo-export-'));
  writeFileSync(join(dir, 'model.onnx'), Buffer.from('not really onnx, but bytes with a hash'));
  const input = { name: 'image', shape: [1, 1, 32, 32], layout: 'NCHW', colour: 'gray', resize: 'bilinear-half-pixel', scale: 1 / 255, mean: 0.2, std: 0.25 };
  writeFileSync(
    join(dir, 'golden.json'),
    JSON.stringify({
      schema: 1,
      input,
      tolerance: { logits_abs: 1e-3 },
      cases: [
        {
          id: 'case-1',
          label: 1,
          image: { width: 2, height: 2, format: 'png-gray8', data: 'AAAA' },
          input: { shape: [1, 1, 32, 32], dtype: 'float32-le', data: '' },
          expected: { logits: [0.1, 0.9], probability: 0.69, attention: { shape: [1, 1, 2, 2], data: [0.25, 0.25, 0.25, 0.25] } },
        },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'export.json'),
    JSON.stringify({
      schema: 1,
      id: 'lsnet-test',
      version: '1.2.3',
      files: { model: 'model.onnx', golden: 'golden.json' },
      input,
      outputs: [
        { name: 'logits', shape: [1, 2] },
        { name: 'attention', shape: [1, 1, 2, 2], meaning: 'token importance' },
      ],
      labels: ['no_invasion', 'invasion'],
      operating_point: { threshold: 0.3, sensitivity: 0.995, specificity: 0.97, chosen_for: 'sensitivity>=0.995' },
      test_metrics: { auc: 0.99 },
      compute: { macs: 1000, params: 10 },
      provenance: { method: 'test' },
      ...overrides,
    }),
  );
  return dir;
}
