export { CitationChips, CitationDialog } from './citation-chips';
export { readCitations, type Citation } from './sources';
