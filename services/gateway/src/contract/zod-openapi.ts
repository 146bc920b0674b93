import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from '@parley/config';

// `.openapi({...})` names a schema (a component in /openapi.json, a type in the web app) and adds
// descriptions or examples. Contract files import `z` from here so the extension is always in place.
extendZodWithOpenApi(z);

export { z };
