/** The handler tables this process serves: the dispatcher gets them from here (the server never imports a handler). */
import type { HandlerTables } from '../server/handler-contract.js';
import { HANDLER_BY_KEY } from '../handlers/table.js';
import { CONTROLLER_HANDLER_BY_KEY } from '../handlers/controller-table.js';

export const HANDLER_TABLES: HandlerTables = {
  broker: HANDLER_BY_KEY,
  controller: CONTROLLER_HANDLER_BY_KEY,
};
