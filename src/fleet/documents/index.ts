export type { DocumentSigningKey, ModelTarget, VerifiedDesired, VerifiedDocument, VerifiedJob } from './types.js';
export { readDesiredDocument, readJobDocument, type DesiredReadContext, type JobReadContext } from './read-documents.js';
export { FileReplayGuard, MemoryReplayGuard, MAX_REMEMBERED_JOBS, type ReplayGuard } from './replay-guard.js';
export { signDesiredDocument, signJobDocument, targetFromPackage } from './sign-documents.js';
