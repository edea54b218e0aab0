import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * deploy/jetson/build-onnxruntime.sh writes this file at the root of the onnxruntime-node package it builds. Its
 * presence (with the right `patch`) is how the daemon knows the binding forwards TensorRT options; it also carries
 * the TensorRT version the engine cache is keyed by. The stock npm package has no such file.
 */
export const ORT_BUILD_MARKER_FILE = 'myoscreen-ort-build.json';
/** The patch id the build script writes; bumped when the patch changes what it forwards. */
export const TRT_OPTIONS_PATCH_ID = 'trt-provider-options-v1';

export const OrtBuildMarkerSchema = Type.Object({
  patch: Type.String({ minLength: 1 }),
  onnxruntime: Type.String({ minLength: 1 }),
  tensorrt: Type.String({ minLength: 1 }),
  cuda: Type.Optional(Type.String()),
  builtAt: Type.Optional(Type.String()),
});
export type OrtBuildMarker = Static<typeof OrtBuildMarkerSchema>;

export type BindingKind =
  | { readonly patched: true; readonly marker: OrtBuildMarker; readonly path: string }
  | { readonly patched: false; readonly reason: string };

/** Judges a marker file's text (or its absence). Pure, so every outcome is testable without a build. */
export function judgeOrtBuildMarker(text: string | null, path: string): BindingKind {
  if (text === null) return { patched: false, reason: `no ${ORT_BUILD_MARKER_FILE} beside the binding (stock npm onnxruntime-node)` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { patched: false, reason: `${path} is not JSON` };
  }
  if (!Value.Check(OrtBuildMarkerSchema, parsed)) return { patched: false, reason: `${path} lacks patch/onnxruntime/tensorrt` };
  if (parsed.patch !== TRT_OPTIONS_PATCH_ID) return { patched: false, reason: `${path} names patch "${parsed.patch}", this daemon needs "${TRT_OPTIONS_PATCH_ID}"` };
  return { patched: true, marker: parsed, path };
}

/** Where the resolved onnxruntime-node package keeps its marker (its root folder, found from its main module). */
export function ortBuildMarkerPath(resolveFrom: string = import.meta.url): string | null {
  try {
    const main = createRequire(resolveFrom).resolve('onnxruntime-node');
    // main is <pkg>/dist/index.js
    return join(dirname(dirname(main)), ORT_BUILD_MARKER_FILE);
  } catch {
    return null;
  }
}

/** Reads and judges the marker of the onnxruntime-node this process would load. Never throws. */
export function detectOrtBinding(markerPath: string | null = ortBuildMarkerPath()): BindingKind {
  if (markerPath === null) return { patched: false, reason: 'onnxruntime-node cannot be resolved' };
  let text: string | null;
  try {
    text = readFileSync(markerPath, 'utf8');
  } catch {
    text = null;
  }
  return judgeOrtBuildMarker(text, markerPath);
}
