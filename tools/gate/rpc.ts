import { createRequire } from "node:module";
import type * as GrpcJs from "@grpc/grpc-js";
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb";
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";
import type * as AnalyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as AnalyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import type * as EngineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as EnginePb from "@pulumi/pulumi/proto/engine_pb";
import type * as PluginPb from "@pulumi/pulumi/proto/plugin_pb";

/**
 * gRPC and protobuf modules exactly as @pulumi/pulumi (and so the policy pack) resolves them: a
 * second copy of google-protobuf or grpc-js breaks the `instanceof` checks inside the pack.
 */
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));

export const grpc = fromPulumi("@grpc/grpc-js") as typeof GrpcJs;
export const structPb = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof StructPb;
export const emptyPb = fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof EmptyPb;
export const analyzerPb = fromPulumi("@pulumi/pulumi/proto/analyzer_pb") as typeof AnalyzerPb;
export const analyzerGrpc = fromPulumi("@pulumi/pulumi/proto/analyzer_grpc_pb") as typeof AnalyzerGrpc;
export const enginePb = fromPulumi("@pulumi/pulumi/proto/engine_pb") as typeof EnginePb;
export const engineGrpc = fromPulumi("@pulumi/pulumi/proto/engine_grpc_pb") as typeof EngineGrpc;
export const pluginPb = fromPulumi("@pulumi/pulumi/proto/plugin_pb") as typeof PluginPb;

