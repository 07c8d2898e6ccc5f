export { StartupError } from './errors.js';
