/** Public API of logging: the one pino logger of the companion server, and a way to replace it. */
export { getLogger, childLogger, setLogger, type Logger } from './logger';
