import * as fs from "node:fs";
import * as path from "node:path";
import { HANDLERS, type HandlerName } from "../../runtime/routes";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Entry file of a deployed function, relative to the project root. */
export function handlerEntry(handler: HandlerName): string {
  return `runtime/handlers/${handler}.ts`;
}

/**
 * The entry points that exist in this checkout, in HANDLERS order. A handler whose file is not
 * there yet simply gets no function (and no route, schedule or alarm).
 */
export function existingHandlers(root: string = PROJECT_ROOT): HandlerName[] {
  return HANDLERS.filter((handler) => fs.existsSync(path.join(root, handlerEntry(handler))));
}
