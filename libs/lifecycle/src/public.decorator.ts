import { SetMetadata } from '@nestjs/common';

/**
 * Marks a controller or route as reachable without signing in. Every route is either guarded or marked
 * with this; a test walks the routes and fails on one that is neither.
 */
export const IS_PUBLIC = 'parley:isPublic';
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(IS_PUBLIC, true);
