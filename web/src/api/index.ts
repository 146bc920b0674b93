export { ApiClient, type ApiClientOptions, type RequestOptions, type UploadOptions } from './api-client';
export { ApiError, extractCode, extractDetail } from './api-error';
export { ApiProvider, useApi } from './api-context';
export { TokenStore, TOKEN_STORAGE_KEY } from './token-store';
export type * from './rest-types';
