export { keepingLosses, restoreKept, type KeptData } from './keep.js';
