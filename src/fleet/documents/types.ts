import type { KeyObject } from 'node:crypto';

/**
 * What a signed fleet document tells a cart, once read and verified (src/fleet/documents/read-documents.ts).
 * The wire format (docs/fleet.md, docs/mqtt-api.md): `{ v: 1, alg: 'ed25519', keyId, payload: '<JSON text>', sig }`,
 * where `sig` is the ed25519 signature of the UTF-8 bytes of `payload`; signing the exact text avoids any
 * canonicalisation between the operator's tool and the cart.
 */

/** The model package a document points at. */
export interface ModelTarget {
  readonly id: string;
  readonly version: string;
  readonly securityVersion: number;
  /** Folder URL of the package: baseUrl + '/model.json', '/model.json.sig', '/<file>'. No trailing slash. */
  readonly baseUrl: string;
  /** sha256 of model.json's exact bytes: ties the signed document to one signed manifest. */
  readonly manifestSha256: string;
  /** Sum of the package files' sizes (model.json and its signature included); the download limit is checked against it. */
  readonly totalBytes: number;
  /** Only a signed document may let a cart go below its committed security version. */
  readonly allowDowngrade: boolean;
}

/** A job for one cart, from `myoscreen/v1/{deviceId}/jobs/{jobId}`. */
export interface VerifiedJob {
  readonly kind: 'job';
  readonly jobId: string;
  readonly deviceId: string;
  readonly target: ModelTarget;
  /** ISO 8601 UTC with milliseconds. */
  readonly issuedAt: string;
  readonly expiresAt: string | null;
  /** The trusted key that signed it. */
  readonly keyId: string;
}

/** The retained desired state of a group, from `myoscreen/v1/groups/{group}/desired`. */
export interface VerifiedDesired {
  readonly kind: 'desired';
  readonly group: string;
  /** Grows with every publication for the group; a cart refuses a lower one (replay) and re-reads an equal one. */
  readonly revision: number;
  /** null: the fleet wants nothing for this group; leave the model alone. */
  readonly target: ModelTarget | null;
  readonly issuedAt: string;
  readonly expiresAt: string | null;
  readonly keyId: string;
}

export type VerifiedDocument = VerifiedJob | VerifiedDesired;

/** An operator's signing key, as the signing functions take it. */
export interface DocumentSigningKey {
  readonly id: string;
  readonly privateKey: KeyObject;
}
