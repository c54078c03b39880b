import { ensurePackBuilt, SECURITY_PACK_DIR } from "./buildPack";
import { type EngineRelay, openEngineRelay } from "./engineRelay";
import { parseOptions } from "./options";
import { type LaunchedPack, launchPack } from "./packLaunch";
import { checkStack, requirePolicyConfig } from "./stacks";

/** The security pack, started before the gate's own modules load, with the relay it was told is the engine. */
export interface PrestartedPack {
  readonly pack: LaunchedPack;
  readonly relay: EngineRelay;
  /** Stops both: for a run that ends before a session takes them over. */
  discard(): Promise<void>;
}

/**
 * `plan` always runs the security pack, whose process takes a second or more to load (the
 * engine's launcher loads TypeScript and Pulumi's SDK before the pack). `npm run plan` starts it
 * from here, first thing, while the gate's own modules (gRPC, the program's harness) still load;
 * the gRPC engine server comes up after them, behind the relay the pack was given. Only for a
 * command line the gate will accept as far as this can tell without loading anything heavy (a
 * known stack with a policy config): otherwise nothing is started and the gate reports the
 * problem as always. Modules here load neither gRPC nor Pulumi.
 */
export async function prestartFor(argv: readonly string[]): Promise<PrestartedPack | undefined> {
  try {
    const options = parseOptions(argv);
    if (options.help || options.command !== "plan" || options.stack === undefined) return undefined;
    checkStack(options.stack);
    if (options.configFile === undefined) requirePolicyConfig(options.stack);
    ensurePackBuilt(SECURITY_PACK_DIR);
  } catch {
    return undefined;
  }
  const relay = await openEngineRelay();
  const pack = launchPack(SECURITY_PACK_DIR, relay.address);
  return {
    pack,
    relay,
    discard: async () => {
      await pack.stop();
      await relay.close();
    },
  };
}
