// Entry point of the Pulumi program (Pulumi.yaml `main: infra/`).
import { loadSettings } from "./config";
import { botfleet } from "./program";

const outputs = botfleet(loadSettings());

export const stack = outputs.stack;
export const productionGrade = outputs.productionGrade;
export const awsAccountId = outputs.awsAccountId;
export const gcpProject = outputs.gcpProject;
export const apiHostname = outputs.apiHostname;
export const archiveBucket = outputs.archiveBucket;
export const apiUrl = outputs.apiUrl;
export const tableName = outputs.tableName;
export const functionNames = outputs.functionNames;
export const secretArns = outputs.secretArns;
