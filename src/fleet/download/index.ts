export { fetchPackage, type FetchPackageOptions, type FetchPackageResult } from './fetch-package.js';
export { checkPackageUrl, isLoopbackHost } from './url-policy.js';
export { stagingPathFor } from './staging-names.js';
