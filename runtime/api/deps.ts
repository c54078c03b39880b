import { type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { type Store } from "../adapters/store";
import { type BearerVerifier } from "../auth/verifyBearer";
import { type ExportJobs } from "../exports/exportJobs";
import { type EntryDeps } from "../http/entry";
import { type OutboundDependencies } from "../outbound/deliverReply";
import { type ArchiveAccess } from "./archiveAccess";
import { type AuditLog } from "./audit";

/** What the agents' API runs on; tests and the local stack build it themselves. */
export interface ApiDeps extends EntryDeps {
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly store: Store;
  readonly verifyBearer: BearerVerifier;
  readonly audit: AuditLog;
  readonly outbound: OutboundDependencies;
  readonly jobs: ExportJobs;
  /** The export archive; its client is loaded by the download route only. */
  readonly archive: ArchiveAccess;
  /** WhatsApp Business phone number id replies go out from; unset = WhatsApp tickets cannot be answered. */
  readonly whatsappPhoneNumberId?: string;
  readonly clock: () => number;
}
