import { openPackSession, type PackSession, type SessionOptions } from "../../../tools/gate/judge";
import type { GateResource } from "../../../tools/gate/resources";

/** An AWS provider as the program registers one (the provider every test resource names). */
export const AWS_PROVIDER: GateResource = { urn: "urn:pulumi:prod::botfleet::pulumi:providers:aws::aws", type: "pulumi:providers:aws", name: "aws", props: { region: "eu-west-1" } };

/**
 * A pack session for the enclosing suite: opened before its tests (before each test with `each`,
 * for a pack that keeps state across calls), always closed after. Returns the current session.
 */
export function packSessionFor(options: () => SessionOptions = () => ({}), each = false): () => PackSession {
  let session: PackSession | undefined;
  const open = async () => {
    session = await openPackSession(options());
  };
  const close = async () => {
    await session?.close();
    session = undefined;
  };
  if (each) {
    beforeEach(open);
    afterEach(close);
  } else {
    before(open);
    after(close);
  }
  return () => {
    if (!session) throw new Error("no pack session: used outside a test of its suite");
    return session;
  };
}
