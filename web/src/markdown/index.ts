export { Markdown, preloadMarkdown } from './markdown';
