export { ConfigSchema, type Config, type CaptureConfig } from './schema.js';
export { loadConfig, checkConfig, readConfigFile, deepFreeze, type ConfigIssue, type LoadedConfig } from './load.js';
export { listEnvKeys, envNameFor, ENV_PREFIX } from './env.js';
