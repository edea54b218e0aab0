import type { Manifest } from '../package/manifest-schema.js';
import type { TensorMeta } from './worker-protocol.js';

/**
 * Compares what the ONNX graph declares with what the manifest promises and what the daemon feeds: one float32
 * input of exactly the manifest's static shape, and every manifest output present with the same shape, `logits`
 * among them with one value per label. Returns the problems, empty when the package fits.
 */
export function ioSignatureProblems(manifest: Manifest, inputs: readonly TensorMeta[], outputs: readonly TensorMeta[]): string[] {
  const problems: string[] = [];
  const input = inputs[0];
  if (inputs.length !== 1 || !input) {
    problems.push(`the graph has ${inputs.length} inputs; one is fed`);
  } else {
    if (input.name !== manifest.input.name) problems.push(`input is named "${input.name}", the manifest says "${manifest.input.name}"`);
    if (input.type !== 'float32') problems.push(`input is ${input.type}, float32 is fed`);
    if (!sameShape(input.shape, manifest.input.shape)) {
      problems.push(`input shape is [${input.shape.join(',')}], the manifest says [${manifest.input.shape.join(',')}]`);
    }
  }
  for (const spec of manifest.outputs) {
    const found = outputs.find((o) => o.name === spec.name);
    if (!found) problems.push(`output "${spec.name}" is missing from the graph`);
    else if (found.type !== 'float32') problems.push(`output "${spec.name}" is ${found.type}, not float32`);
    else if (!sameShape(found.shape, spec.shape)) {
      problems.push(`output "${spec.name}" has shape [${found.shape.join(',')}], the manifest says [${spec.shape.join(',')}]`);
    }
  }
  const logits = manifest.outputs.find((o) => o.name === 'logits');
  if (!logits) problems.push('the manifest has no "logits" output');
  else if (logits.shape.reduce((a, b) => a * b, 1) !== manifest.labels.length) {
    problems.push(`logits have ${logits.shape.join('x')} values for ${manifest.labels.length} labels`);
  }
  return problems;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
