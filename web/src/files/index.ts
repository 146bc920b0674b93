export { AttachmentChips, MessageFiles, PickedChips } from './file-chips';
export { filesApi, fileUrl } from './files-api';
export { formatSize, readMessageFiles, type MessageFile } from './message-files';
export { uploadErrorMessage } from './upload-error';
export { toMessageFiles, useAttachments, type Attachment } from './use-attachments';
