import { Inject, Injectable } from '@nestjs/common';
import type { UserCaller } from '@parley/grpc';
import { DomainError, ErrorKind } from '@parley/errors';
import { DownstreamClients } from '../downstream/downstream-clients';
import type { FileInfo } from './knowledge-json';

/** Pages of the caller's own files read at most per lookup (100 files each). */
const MAX_OWN_PAGES = 20;
/** Files looked up one by one at most per lookup (admins, whose bases hold other users' files). */
const MAX_SINGLE_LOOKUPS = 100;
const SINGLE_LOOKUP_CONCURRENCY = 8;

/**
 * File names and sizes for knowledge answers, asked of the files service as the caller, so nobody
 * learns about a file they may not read. The files service has no get-by-ids call: the caller's own
 * files come from ListFiles (a page covers 100 at once, stopping once every id is found); an admin may
 * read others' files, so what is left is asked one by one (bounded, in parallel). A file nobody may
 * show the caller stays out of the map (the answer carries its id with an empty name).
 */
@Injectable()
export class FileDirectory {
  constructor(@Inject(DownstreamClients) private readonly downstream: DownstreamClients) {}

  async lookup(caller: UserCaller, ids: Iterable<string>): Promise<Map<string, FileInfo>> {
    const wanted = new Set(ids);
    const found = new Map<string, FileInfo>();
    if (wanted.size === 0) return found;
    let pageToken = '';
    for (let page = 0; page < MAX_OWN_PAGES && found.size < wanted.size; page++) {
      const answer = await this.downstream.files.listFiles({ pageSize: 100, pageToken }, { caller });
      for (const file of answer.files) if (wanted.has(file.id)) found.set(file.id, file);
      pageToken = answer.nextPageToken;
      if (!pageToken) break;
    }
    if (caller.role !== 'admin') return found;
    const rest = [...wanted].filter((id) => !found.has(id)).slice(0, MAX_SINGLE_LOOKUPS);
    for (let i = 0; i < rest.length; i += SINGLE_LOOKUP_CONCURRENCY) {
      await Promise.all(
        rest.slice(i, i + SINGLE_LOOKUP_CONCURRENCY).map(async (fileId) => {
          try {
            const { file } = await this.downstream.files.getFile({ fileId }, { caller });
            if (file) found.set(fileId, file);
          } catch (error) {
            // Deleted since it was added: the base still lists it until retrieval drops it.
            if (!(error instanceof DomainError && error.kind === ErrorKind.NotFound)) throw error;
          }
        }),
      );
    }
    return found;
  }
}
