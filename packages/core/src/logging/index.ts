/** Public API of logging: the one pino logger of the companion server, its two formats, and a way to replace it. */
export {
  getLogger,
  childLogger,
  setLogger,
  configureLogging,
  isLogLevel,
  LOG_LEVELS,
  type Logger,
  type LogFormat,
  type LoggingOptions,
} from './logger';
