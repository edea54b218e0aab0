export { ConfigSchema, type Config, type CaptureConfig, type InferenceConfig, type ScreeningConfig, type QualityConfig, type PipelineConfig } from './schema.js';
export { loadConfig, checkConfig, readConfigFile, deepFreeze, type ConfigIssue, type LoadedConfig } from './load.js';
export { listEnvKeys, envNameFor, ENV_PREFIX } from './env.js';
