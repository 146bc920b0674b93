export { ChatSidebar } from './chat-sidebar';
export { MainScreen } from './main-screen';
export { chatKeys, flattenChats, mergeChat } from './chat-cache';
export { chatsApi, DEFAULT_CHAT_TITLE } from './chats-api';
