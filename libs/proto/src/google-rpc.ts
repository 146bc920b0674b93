export * from './gen/google/rpc/status_pb';
export * from './gen/google/rpc/error_details_pb';
