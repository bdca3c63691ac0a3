// Encoding CRIU's RPC messages with protobufjs (its light build: reflection from our JSON
// descriptor, no .proto parser). Only checkpoint and restore reach this module, so only their
// bundles carry the library.
import protobuf from 'protobufjs/light.js';
import { RPC_DESCRIPTOR, type CriuReq, type CriuResp } from './rpc-schema.js';

let types: { req: protobuf.Type; resp: protobuf.Type } | undefined;

function messages(): { req: protobuf.Type; resp: protobuf.Type } {
  if (!types) {
    const root = protobuf.Root.fromJSON(RPC_DESCRIPTOR);
    types = { req: root.lookupType('CriuReq'), resp: root.lookupType('CriuResp') };
  }
  return types;
}

export function encodeRequest(req: CriuReq): Buffer {
  const { req: type } = messages();
  return Buffer.from(type.encode(type.fromObject(req)).finish());
}

/** A response as plain data; a message that is not a criu_resp is an error naming CRIU. */
export function decodeResponse(data: Uint8Array): CriuResp {
  const { resp: type } = messages();
  let message: protobuf.Message;
  try {
    message = type.decode(data);
  } catch (err) {
    throw new Error(`criu swrk sent a message that is not a criu_resp (${(err as Error).message})`);
  }
  return type.toObject(message, { enums: String }) as CriuResp;
}
