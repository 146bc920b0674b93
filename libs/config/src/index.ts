export { env, sensitive, isSensitive, commonServiceEnv, INSTALLATION_PREFIX } from './env-schema';
export {
  parseConfig,
  loadConfigOrExit,
  checkConfigAndExit,
  redactConfig,
  ConfigValidationError,
} from './load-config';
export { z } from 'zod';
export {
  openWebUiEnvironment,
  composedDatabaseUrl,
  unsupportedOpenWebUiVariables,
  UNSUPPORTED_OPEN_WEBUI_VARIABLES,
} from './open-webui-env';
