// First: before @pulumi/policy brings in Pulumi's SDK, whose closure and automation modules the pack never calls.
import "./lib/deferSdkExtras";
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

// Constructing the pack starts its gRPC server (the engine reads the port from stdout). Policies
// live in their own modules; this file only assembles them.
new PolicyPack(PACK_NAME, { enforcementLevel: "mandatory", policies });
